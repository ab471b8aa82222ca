package ops

import (
	"context"
	"log/slog"
	"regexp"
)

// nirLike matches what could be a NIR (13 digits, with or without its 2-digit key,
// possibly spaced as printed, Corsica's 2A/2B included) inside a longer text.
var nirLike = regexp.MustCompile(`\b[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?\b`)

// Masked replaces a NIR in logs.
const Masked = "[NIR masqué]"

// MaskNIR returns s with every NIR-like number replaced by Masked.
func MaskNIR(s string) string { return nirLike.ReplaceAllString(s, Masked) }

// RedactNIR wraps a log handler so that no NIR reaches the technical logs, whatever
// carries it: a message, an attribute, an error from the database driver quoting
// the row it refused. Logs go to operators and log platforms outside the medical
// secret (L1110-4 CSP); the code never logs clinical values, and this is the net
// under that rule for the one identifier with a recognisable shape.
func RedactNIR(h slog.Handler) slog.Handler { return &redactor{h: h} }

type redactor struct{ h slog.Handler }

func (r *redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, MaskNIR(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactAttr(a)
	}
	return &redactor{h: r.h.WithAttrs(red)}
}

func (r *redactor) WithGroup(name string) slog.Handler { return &redactor{h: r.h.WithGroup(name)} }

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, MaskNIR(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = redactAttr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, MaskNIR(err.Error()))
		}
		if s, ok := v.Any().(interface{ String() string }); ok {
			return slog.String(a.Key, MaskNIR(s.String()))
		}
		return slog.String(a.Key, MaskNIR(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
