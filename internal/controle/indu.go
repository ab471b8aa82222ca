package controle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/rules"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

// Ligne is a claims line (ER_PRS_F) concerned by a confirmed anomaly: the care
// date, the day the caisse paid it, the prestation and the amount reimbursed.
type Ligne struct {
	Soins    medconseil.Date    `json:"soins"`    // EXE_SOI_DTD
	Paiement medconseil.Date    `json:"paiement"` // FLX_TRT_DTD (date of processing, the payment)
	Nature   int                `json:"nature"`   // PRS_NAT_REF
	Montant  medconseil.Montant `json:"montant"`  // BSE_REM_MNT, the part paid by the assurance maladie
}

// InduInput is what the computation needs besides the lines.
type InduInput struct {
	Calcul medconseil.Date // the day of the notification de payer (the action starts)
	Fraude bool
	// Connaissance is the day the caisse knew (or should have known) the facts:
	// the start of the 5-year prescription in case of fraud (art. 2224 C. civ.).
	Connaissance medconseil.Date
}

// TraceLigne is one line with what the computation made of it.
type TraceLigne struct {
	Ligne
	Prescrite bool   `json:"prescrite"`
	Motif     string `json:"motif,omitempty"`
}

// CalculIndu is the result of the computation with its trace.
type CalculIndu struct {
	Lignes     []TraceLigne       `json:"lignes"`
	Retenu     medconseil.Montant `json:"retenu"`     // sum of the lines not time-barred
	Prescrit   medconseil.Montant `json:"prescrit"`   // sum of the time-barred lines
	Majoration medconseil.Montant `json:"majoration"` // +10 % for fraud (L133-4 I)
	Total      medconseil.Montant `json:"total"`      // retenu + majoration
	Regles     []string           `json:"regles"`     // parameters applied, value and reference
	Limite     medconseil.Date    `json:"limite"`     // lines paid before this day are time-barred
}

// ComputeIndu computes the indu of lines on in.Calcul: the lines paid more than
// 3 years before (L133-4 III) are time-barred; in case of fraud the civil 5 years
// run from the day the caisse knew the facts (art. 2224 C. civ.), within 20 years
// of the payment (art. 2232), and 10 % is added (L133-4 I). The lines are taken in
// the order given by (payment, care, nature, amount), so the trace is the same
// whatever the order of the source.
func ComputeIndu(params *rules.Set, lines []Ligne, in InduInput) (CalculIndu, error) {
	var out CalculIndu
	if in.Calcul.IsZero() {
		return out, medconseil.FieldErrorf("calcul", "date de la notification de payer manquante")
	}
	if in.Fraude && in.Connaissance.IsZero() {
		return out, medconseil.FieldErrorf("connaissance", "en cas de fraude, indiquer la date à laquelle la caisse a connu les faits (point de départ de la prescription de 5 ans)")
	}
	if in.Fraude && in.Connaissance.After(in.Calcul) {
		return out, medconseil.FieldErrorf("connaissance", "la date de connaissance des faits (%s) est postérieure au calcul (%s)", in.Connaissance.Francais(), in.Calcul.Francais())
	}
	ls := append([]Ligne(nil), lines...)
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if c := a.Paiement.Compare(b.Paiement); c != 0 {
			return c < 0
		}
		if c := a.Soins.Compare(b.Soins); c != 0 {
			return c < 0
		}
		if a.Nature != b.Nature {
			return a.Nature < b.Nature
		}
		return a.Montant < b.Montant
	})
	rule := func(name string) (rules.Rat, error) {
		v, per, err := Value(params, name, in.Calcul)
		if err != nil {
			return v, err
		}
		ref := ""
		if len(per.References) > 0 {
			ref = per.References[0].Title
		}
		s := fmt.Sprintf("controle/%s = %s (en vigueur le %s) — %s", name, v.String(), per.Start.Francais(), ref)
		if per.Verify {
			s += " [à vérifier]"
		}
		out.Regles = append(out.Regles, s)
		return v, nil
	}
	barredAll := false
	if in.Fraude {
		ans, err := rule("indu_prescription_fraude_ans")
		if err != nil {
			return out, err
		}
		butoir, err := rule("indu_delai_butoir_ans")
		if err != nil {
			return out, err
		}
		// The 5 years run from knowledge: past them the whole action is time-barred.
		barredAll = in.Connaissance.AddYears(int(ans.Int())).Before(in.Calcul)
		out.Limite = in.Calcul.AddYears(-int(butoir.Int()))
	} else {
		ans, err := rule("indu_prescription_ans")
		if err != nil {
			return out, err
		}
		out.Limite = in.Calcul.AddYears(-int(ans.Int()))
	}
	for _, l := range ls {
		if l.Paiement.IsZero() || l.Montant < 0 {
			return out, medconseil.FieldErrorf("lignes", "ligne de soins du %s sans date de paiement ou de montant négatif", l.Soins.Francais())
		}
		t := TraceLigne{Ligne: l}
		switch {
		case barredAll:
			t.Prescrite, t.Motif = true, fmt.Sprintf("fraude connue le %s : plus de 5 ans avant le %s (art. 2224 C. civ.)", in.Connaissance.Francais(), in.Calcul.Francais())
		case l.Paiement.Before(out.Limite):
			t.Prescrite = true
			if in.Fraude {
				t.Motif = fmt.Sprintf("payée le %s, plus de 20 ans avant (art. 2232 C. civ.)", l.Paiement.Francais())
			} else {
				t.Motif = fmt.Sprintf("payée le %s, avant le %s : plus de 3 ans (L133-4 III)", l.Paiement.Francais(), out.Limite.Francais())
			}
		}
		if t.Prescrite {
			out.Prescrit += l.Montant
		} else {
			out.Retenu += l.Montant
		}
		out.Lignes = append(out.Lignes, t)
	}
	if in.Fraude {
		taux, err := rule("indu_majoration_fraude")
		if err != nil {
			return out, err
		}
		out.Majoration = out.Retenu.MulRatio(taux.N, taux.D)
	}
	out.Total = out.Retenu + out.Majoration
	return out, nil
}

// Selection is the claims lines an anomaly concerns: the professional executing
// the prestations, the period of care, and the prestation natures (none: all).
type Selection struct {
	Professionnel string
	Du, Au        medconseil.Date
	Natures       []int
}

// Validate returns every error of s.
func (s Selection) Validate() error {
	var errs []error
	if strings.TrimSpace(s.Professionnel) == "" {
		errs = append(errs, medconseil.FieldErrorf("professionnel", "numéro du professionnel (PFS_EXE_NUM) manquant"))
	}
	if s.Du.IsZero() || s.Au.IsZero() {
		errs = append(errs, medconseil.FieldErrorf("du", "période des soins concernés manquante (du, au)"))
	} else if s.Au.Before(s.Du) {
		errs = append(errs, medconseil.FieldErrorf("au", "la fin de la période (%s) précède son début (%s)", s.Au.Francais(), s.Du.Francais()))
	}
	return errors.Join(errs...)
}

// ReadLignes reads from the ER_PRS_F Parquet of dir, with DuckDB, the lines of
// the selection, amounts in centimes.
func ReadLignes(ctx context.Context, dir string, s Selection) ([]Ligne, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "ER_PRS_F.parquet")
	if _, err := os.Stat(p); err != nil {
		return nil, medconseil.FieldErrorf("data", "données : ER_PRS_F.parquet introuvable dans %s", dir)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("DuckDB : %w", err)
	}
	defer db.Close()
	q := `SELECT CAST(EXE_SOI_DTD AS DATE), CAST(FLX_TRT_DTD AS DATE), PRS_NAT_REF, CAST(ROUND(BSE_REM_MNT * 100) AS BIGINT)
		FROM read_parquet(?) WHERE PFS_EXE_NUM = ? AND EXE_SOI_DTD BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)`
	args := []any{p, s.Professionnel, s.Du.String(), s.Au.String()}
	if len(s.Natures) > 0 {
		ph := make([]string, len(s.Natures))
		for i, n := range s.Natures {
			ph[i] = "?"
			args = append(args, n)
		}
		q += " AND PRS_NAT_REF IN (" + strings.Join(ph, ", ") + ")"
	}
	q += " ORDER BY 2, 1, 3, 4"
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", p, err)
	}
	defer rows.Close()
	var out []Ligne
	for rows.Next() {
		var soins, paie time.Time
		var l Ligne
		var mnt int64
		if err := rows.Scan(&soins, &paie, &l.Nature, &mnt); err != nil {
			return nil, fmt.Errorf("lecture de %s : %w", p, err)
		}
		l.Soins, l.Paiement, l.Montant = medconseil.DateOf(soins), medconseil.DateOf(paie), medconseil.Montant(mnt)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Mois is one month of a prescriber's arrêts, from MC_ARR_F.
type Mois struct {
	Mois   string `json:"mois"` // 2026-03
	Arrets int    `json:"arrets"`
	Jours  int    `json:"jours"` // days prescribed (ARR_FIN_DTD − ARR_DEB_DTD + 1)
}

// SuiviMensuel reads, from the MC_ARR_F Parquet of dir, the arrêts prescribed by
// the professional (PFS_PRE_NUM equal to one of pros: his PFS_PFS_NUM, as the
// SNDS and the synthetic region write it, or his RPPS) per month of
// prescription between du and au: the measure of an MSO objective on IJ
// (L162-1-15 I 2°; R148-5).
func SuiviMensuel(ctx context.Context, dir string, du, au medconseil.Date, pros ...string) ([]Mois, error) {
	p := filepath.Join(dir, "MC_ARR_F.parquet")
	if _, err := os.Stat(p); err != nil {
		return nil, medconseil.FieldErrorf("data", "données : MC_ARR_F.parquet introuvable dans %s", dir)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("DuckDB : %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT strftime(ARR_PRE_DTD, '%Y-%m') AS m, COUNT(*), CAST(SUM(ARR_FIN_DTD - ARR_DEB_DTD + 1) AS BIGINT)
		FROM read_parquet(?) WHERE list_contains(?::VARCHAR[], PFS_PRE_NUM) AND ARR_PRE_DTD BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) GROUP BY 1 ORDER BY 1`, p, pros, du.String(), au.String())
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", p, err)
	}
	defer rows.Close()
	got := map[string]Mois{}
	for rows.Next() {
		var m Mois
		if err := rows.Scan(&m.Mois, &m.Arrets, &m.Jours); err != nil {
			return nil, err
		}
		got[m.Mois] = m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Every month of the period, zero when nothing was prescribed.
	var out []Mois
	for d := medconseil.NewDate(du.Year(), du.Month(), 1); !d.After(au); d = d.AddMonths(1) {
		k := fmt.Sprintf("%04d-%02d", d.Year(), int(d.Month()))
		m := got[k]
		m.Mois = k
		out = append(out, m)
	}
	return out, nil
}
