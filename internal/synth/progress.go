package synth

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress shows how far the activity is: a redrawn bar with rate and ETA on a
// terminal, a plain line every 10 % otherwise (logs, CI).
type progress struct {
	w      io.Writer
	tty    bool
	total  int64
	t0     time.Time
	last   time.Time
	lastPc int
}

func newProgress(w io.Writer, tty bool, total int64) *progress {
	now := time.Now()
	return &progress{w: w, tty: tty, total: max(total, 1), t0: now, last: now.Add(-time.Second), lastPc: -1}
}

func (p *progress) update(done int64) {
	now := time.Now()
	pc := int(done * 100 / p.total)
	if p.tty {
		if now.Sub(p.last) < 200*time.Millisecond && done < p.total {
			return
		}
	} else if pc/10 == p.lastPc/10 && done < p.total {
		return
	}
	p.last, p.lastPc = now, pc
	el := now.Sub(p.t0).Seconds()
	rate := float64(done) / max(el, 1e-3)
	eta := time.Duration(float64(p.total-done)/max(rate, 1e-3)) * time.Second
	if p.tty {
		const width = 30
		n := int(done * width / p.total)
		fmt.Fprintf(p.w, "\r[%s%s] %3d %%  %s assurés  %.0f/s  reste %s ", strings.Repeat("█", n), strings.Repeat("·", width-n), pc, groupe(done), rate, eta.Round(time.Second))
		return
	}
	fmt.Fprintf(p.w, "activité : %3d %%  %s/%s assurés  %.0f/s  reste %s\n", pc, groupe(done), groupe(p.total), rate, eta.Round(time.Second))
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// groupe formats n with thin spaces between thousands, as French text does.
func groupe(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	return b.String()
}
