package detect

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// WriteFunnelSVG draws the funnel f as a standalone SVG (no script, no external
// resource): the standardised ratio of every prescriber against the expected
// count (log scale), the target line at 1, the 95 % and 99.8 % limits with τ²,
// and the point of professional highlight (if any) in red, labelled.
func WriteFunnelSVG(w io.Writer, f *Funnel, highlight string) error {
	const (
		W, H                   = 720.0, 460.0
		left, right, top, bott = 64.0, 20.0, 40.0, 56.0
	)
	if len(f.Points) == 0 {
		return fmt.Errorf("entonnoir %s/%s : aucun point", Indicators[f.Indicator].Code, f.Group)
	}
	minE, maxE, maxR := math.Inf(1), 0.0, 2.0
	for _, p := range f.Points {
		minE = math.Min(minE, p.E)
		maxE = math.Max(maxE, p.E)
		maxR = math.Max(maxR, p.SR)
	}
	minE, maxE = minE/1.2, maxE*1.2
	maxR = math.Min(math.Ceil(maxR*1.1*2)/2, 6)
	lx0, lx1 := math.Log(minE), math.Log(maxE)
	x := func(e float64) float64 { return left + (math.Log(e)-lx0)/(lx1-lx0)*(W-left-right) }
	y := func(r float64) float64 {
		r = math.Max(0, math.Min(r, maxR))
		return top + (1-r/maxR)*(H-top-bott)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12" role="img">`+"\n", W, H, W, H)
	ind := Indicators[f.Indicator]
	title := fmt.Sprintf("%s — %s (%d prescripteurs, τ = %s)", capitalize(ind.Label), groupLabel(f.Group), len(f.Points), frnum(math.Sqrt(f.Tau2), 2))
	fmt.Fprintf(&b, `<title>%s</title>`+"\n", html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="14" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(title))
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#999"/>`+"\n", left, top, W-left-right, H-top-bott)
	// Limits, sampled along E.
	for _, l := range []struct {
		z     float64
		style string
	}{{Z95, `stroke="#e69f00" stroke-dasharray="6 4"`}, {Z998, `stroke="#d55e00"`}} {
		for _, upper := range []bool{true, false} {
			var pts []string
			for i := 0; i <= 80; i++ {
				e := math.Exp(lx0 + (lx1-lx0)*float64(i)/80)
				r := f.Lower(e, l.z)
				if upper {
					r = f.Limit(e, l.z)
				}
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(e), y(r)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" %s points="%s"/>`+"\n", l.style, strings.Join(pts, " "))
		}
	}
	fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#333"/>`+"\n", left, W-right, y(1), y(1))
	// Axes: ratio ticks every 0.5, E ticks at powers of 10 and their halves.
	for r := 0.0; r <= maxR+1e-9; r += 0.5 {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y(r)+4, frnum(r, 1))
	}
	for p := math.Floor(math.Log10(minE)); p <= math.Ceil(math.Log10(maxE)); p++ {
		for _, m := range []float64{1, 2, 5} {
			e := m * math.Pow(10, p)
			if e < minE || e > maxE {
				continue
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n", x(e), H-bott+16, frnum(e, 0))
		}
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">%s attendus (patientèle standardisée, échelle log)</text>`+"\n", (left+W-right)/2, H-14, html.EscapeString(capitalize(ind.Unit)))
	fmt.Fprintf(&b, `<text transform="translate(16 %.0f) rotate(-90)" text-anchor="middle">observé / attendu</text>`+"\n", (top+H-bott)/2)
	var hl *Point
	for _, p := range f.Points {
		if p.Pro.Num == highlight {
			hl = p
			continue
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#0072b2" fill-opacity="0.6"><title>%s : ratio %s, z %s</title></circle>`+"\n",
			x(p.E), y(p.SR), html.EscapeString(p.Pro.Num), frnum(p.SR, 2), frnum(p.ZAdj, 1))
	}
	if hl != nil {
		fmt.Fprintf(&b, `<circle id="pro-%s" cx="%.1f" cy="%.1f" r="6" fill="#cc0000" stroke="#000"><title>%s : ratio %s, z %s</title></circle>`+"\n",
			html.EscapeString(hl.Pro.Num), x(hl.E), y(hl.SR), html.EscapeString(hl.Pro.Num), frnum(hl.SR, 2), frnum(hl.ZAdj, 1))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#cc0000" font-weight="bold">%s</text>`+"\n", x(hl.E)+9, y(hl.SR)-8, html.EscapeString(hl.Pro.Num))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#d55e00">— limite 99,8 %%</text><text x="%.0f" y="%.0f" fill="#e69f00">- - limite 95 %%</text>`+"\n", W-right-230, top+16, W-right-110, top+16)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func groupLabel(g string) string {
	prof, dep, ok := strings.Cut(g, "/")
	l := ProfessionLabel(prof, true) + " de la région"
	if ok {
		l = ProfessionLabel(prof, true) + " du département " + dep
	}
	return l
}
