package controle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"medconseil"
)

// Proposition is one flag of the targeting list, as printed by
// « medconseil detect --json » (internal/detect.Flag): the professional
// (PFS_EXE_NUM as in the data), the anomaly type, the score and the explanation in
// figures. Imported, it proposes an MSO/MSAP procedure to the médecin chef.
type Proposition struct {
	Professionnel string  `json:"professionnel"`
	Anomalie      string  `json:"anomalie"`
	Score         float64 `json:"score"`
	Explication   string  `json:"explication"`
}

// ParsePropositions reads the JSON array of the targeting list strictly: an
// unknown key, a missing professional or anomaly, a score that is not a finite
// number is refused with the rank of the flag.
func ParsePropositions(r io.Reader) ([]Proposition, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, medconseil.FieldErrorf("fichier", "liste de ciblage vide : coller ou déposer la sortie de « medconseil detect --json »")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ps []Proposition
	if err := dec.Decode(&ps); err != nil {
		return nil, medconseil.FieldErrorf("fichier", "liste de ciblage illisible (tableau JSON de {professionnel, anomalie, score, explication} attendu) : %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, medconseil.FieldErrorf("fichier", "liste de ciblage : contenu après le tableau JSON")
	}
	if len(ps) == 0 {
		return nil, medconseil.FieldErrorf("fichier", "la liste de ciblage ne contient aucun professionnel")
	}
	var errs []error
	for i, p := range ps {
		at := fmt.Sprintf("fichier[%d]", i+1)
		switch {
		case strings.TrimSpace(p.Professionnel) == "" || len(p.Professionnel) > 32:
			errs = append(errs, medconseil.FieldErrorf(at, "signalement n° %d : numéro du professionnel manquant ou trop long", i+1))
		case strings.TrimSpace(p.Anomalie) == "" || len(p.Anomalie) > 64:
			errs = append(errs, medconseil.FieldErrorf(at, "signalement n° %d (%s) : type d'anomalie manquant ou trop long", i+1, p.Professionnel))
		case math.IsNaN(p.Score) || math.IsInf(p.Score, 0):
			errs = append(errs, medconseil.FieldErrorf(at, "signalement n° %d (%s) : score non numérique", i+1, p.Professionnel))
		case len(p.Explication) > 4000:
			errs = append(errs, medconseil.FieldErrorf(at, "signalement n° %d (%s) : explication trop longue (4 000 caractères au plus)", i+1, p.Professionnel))
		}
	}
	return ps, errors.Join(errs...)
}
