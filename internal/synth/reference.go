package synth

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Commune is one commune of the region with its legal population and centroid.
type Commune struct {
	Code       string // INSEE code, e.g. 67482
	Nom        string
	Dep        string // 2-character département
	Population int
	CodePostal string
	Lat, Lon   float64
}

// Etablissement is one FINESS establishment of the region that receives patients.
type Etablissement struct {
	Finess     string
	Nom        string
	Cat        string // FINESS aggregated category (1101 CHR, 1102 CH, 1104 CLCC, 1203 dialyse …)
	CatEtab    string // FINESS category (IR_CET_V: 101 CHR, 355 CH, 109 SSR privé …)
	Public     bool   // public hospital (CHR, CH): its consultations externes reach the DCIR "pour information"
	Commune    string
	CodePostal string
	Lat, Lon   float64
}

// Reference is what the generator reads from the shared référentiels: the region's
// communes and establishments, the national communes (births elsewhere in France)
// and every nomenclature the output draws codes from.
type Reference struct {
	Dir            string
	Communes       []Commune // the region's, sorted by INSEE code
	Nationales     []Commune // other communes of France, for births outside the region
	Etablissements []Etablissement
	// Codes holds, per nomenclature file, the set of valid values of its first column.
	Codes map[string]map[string]bool
	// CIMAld maps a CIM-10 code to its ALD number (IR_CIM_V.ALD_030_COD).
	CIMAld map[string]string
	// CIMLib maps a CIM-10 code to its French label.
	CIMLib map[string]string
	// LPP holds the label of each LPP code (NT_LPP).
	LPP map[string]string
}

// ErrNoReference is returned when the reference directory is absent.
var ErrNoReference = errors.New("référentiels absents")

// nomenclatures lists the SNDS files whose first column the output draws codes from.
var nomenclatures = []string{
	"IR_NAT_V", "IR_SPE_V", "IR_ACT_V", "IR_DTR_V", "IR_MTR_V", "IR_ALD_V", "IR_CIM_V",
	"AT_AAT_V", "IR_ASU_V", "IR_EXO_V", "IR_DPT_V", "IR_SEX_V", "IR_PRF_V", "IR_ETM_V",
	"AT_NTU_V", "AT_MLT_V", "IR_TPR_V", "IR_TEK_V", "NT_LPP",
	"IR_SPA_D", "IR_DEP_V", "IR_NIR_V", "IR_BER_V", "IR_ORG_V", "IR_CET_V", "IR_CNV_V", "IR_TYT_V", "IR_NEM_T", "AT_MLP_V",
}

// LoadReference reads the référentiels of dir for the region (INSEE code, "44").
func LoadReference(dir, region string) (*Reference, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w : le répertoire %s n'existe pas (option --reference ou MEDCONSEIL_REFERENCE)", ErrNoReference, dir)
	}
	r := &Reference{Dir: dir, Codes: map[string]map[string]bool{}, CIMAld: map[string]string{}, CIMLib: map[string]string{}, LPP: map[string]string{}}
	for _, n := range nomenclatures {
		set := map[string]bool{}
		err := readCSV(filepath.Join(dir, "snds", n+".csv"), ';', func(rec []string) {
			set[rec[0]] = true
			if n == "IR_NEM_T" && len(rec) > 1 { // emitters are numbered within their type
				set[rec[0]+";"+rec[1]] = true
			}
			switch n {
			case "IR_CIM_V":
				if len(rec) > 2 {
					r.CIMAld[rec[0]] = rec[2]
					r.CIMLib[rec[0]] = rec[1]
				}
			case "NT_LPP":
				if len(rec) > 1 {
					r.LPP[rec[0]] = rec[1]
				}
			}
		})
		if err != nil {
			return nil, err
		}
		r.Codes[n] = set
	}
	cent := map[string][2]float64{}
	err := readCSV(filepath.Join(dir, "geo", "communes", "communes-centroides-2023.csv"), ',', func(rec []string) {
		lat, e1 := strconv.ParseFloat(rec[5], 64)
		lon, e2 := strconv.ParseFloat(rec[6], 64)
		if e1 == nil && e2 == nil {
			cent[rec[0]] = [2]float64{lat, lon}
		}
	})
	if err != nil {
		return nil, err
	}
	depSum := map[string][3]float64{}
	err = readCSV(filepath.Join(dir, "geo", "communes", "communes-population.csv"), ',', func(rec []string) {
		pop, err := strconv.Atoi(rec[4])
		if err != nil || pop <= 0 {
			return
		}
		c := Commune{Code: rec[0], Nom: rec[1], Dep: rec[2], Population: pop}
		if cps := strings.Fields(strings.ReplaceAll(rec[5], "|", " ")); len(cps) > 0 {
			c.CodePostal = cps[0]
		}
		if ll, ok := cent[c.Code]; ok {
			c.Lat, c.Lon = ll[0], ll[1]
			s := depSum[c.Dep]
			depSum[c.Dep] = [3]float64{s[0] + ll[0], s[1] + ll[1], s[2] + 1}
		}
		if rec[3] == region {
			r.Communes = append(r.Communes, c)
		} else if len(c.Dep) == 2 && c.Dep != "2A" && c.Dep != "2B" {
			r.Nationales = append(r.Nationales, c)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(r.Communes) == 0 {
		return nil, fmt.Errorf("aucune commune pour la région %s dans communes-population.csv", region)
	}
	for i := range r.Communes {
		c := &r.Communes[i]
		if c.Lat == 0 && c.Lon == 0 { // no centroid: the département's mean
			s := depSum[c.Dep]
			if s[2] > 0 {
				c.Lat, c.Lon = s[0]/s[2], s[1]/s[2]
			}
		}
	}
	sort.Slice(r.Communes, func(i, j int) bool { return r.Communes[i].Code < r.Communes[j].Code })
	sort.Slice(r.Nationales, func(i, j int) bool { return r.Nationales[i].Code < r.Nationales[j].Code })
	err = readCSV(filepath.Join(dir, "geo", "finess", "finess_grand_est_2021.csv"), ',', func(rec []string) {
		switch rec[5] {
		case "1101", "1102", "1104", "1106", "1110", "1203", "1107":
		default:
			return
		}
		lat, e1 := strconv.ParseFloat(rec[18], 64)
		lon, e2 := strconv.ParseFloat(rec[19], 64)
		if e1 != nil || e2 != nil {
			return
		}
		r.Etablissements = append(r.Etablissements, Etablissement{Finess: rec[0], Nom: rec[2], Cat: rec[5], CatEtab: rec[3],
			Public: rec[3] == "101" || rec[3] == "355", Commune: rec[15], CodePostal: rec[11], Lat: lat, Lon: lon})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(r.Etablissements, func(i, j int) bool { return r.Etablissements[i].Finess < r.Etablissements[j].Finess })
	return r, nil
}

// Has reports whether code exists in the nomenclature file (e.g. "IR_NAT_V").
func (r *Reference) Has(nomenclature, code string) bool { return r.Codes[nomenclature][code] }

func readCSV(path string, sep rune, row func([]string)) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w : fichier %s introuvable", ErrNoReference, path)
		}
		return err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		return fmt.Errorf("%s : %w", path, err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s : %w", path, err)
		}
		row(rec)
	}
}
