package reference

import (
	"math"
	"sort"

	"medconseil"
)

// earthRadiusKm is the mean Earth radius (IUGG).
const earthRadiusKm = 6371.0088

// Distance returns the great-circle distance in km between two WGS84 points
// (haversine formula).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// commune returns the commune code, or ENOTFOUND.
func (s *Set) commune(code string) (*Commune, error) {
	c := s.Communes[code]
	if c == nil {
		if len(s.Communes) == 0 {
			return nil, medconseil.Errorf(medconseil.ENOTFOUND, "Référentiel des communes absent : importer geo/communes/communes-centroides-2023.csv.")
		}
		return nil, medconseil.NotFound("Commune " + code)
	}
	return c, nil
}

// DistanceCommunes returns the great-circle distance in km between the centroids
// of two communes given by INSEE code — the distance of the transport rules
// (R322-10 CSS: more than 150 km, series beyond 50 km).
func (s *Set) DistanceCommunes(a, b string) (float64, error) {
	ca, err := s.commune(a)
	if err != nil {
		return 0, err
	}
	cb, err := s.commune(b)
	if err != nil {
		return 0, err
	}
	return Distance(ca.Lat, ca.Lon, cb.Lat, cb.Lon), nil
}

// Proche is an establishment with its distance from a commune.
type Proche struct {
	*Etablissement
	DistanceKm float64
}

// Nearest returns the n located establishments of FINESS category categorie
// (code such as "101" for CHR/CHU, "355" for CH) closest to commune, nearest
// first. It answers the transport question "is there equivalent care within
// 150 km?".
func (s *Set) Nearest(commune, categorie string, n int) ([]Proche, error) {
	c, err := s.commune(commune)
	if err != nil {
		return nil, err
	}
	var out []Proche
	for _, e := range s.Finess {
		if !e.Localise || categorie != "" && e.Categorie != categorie {
			continue
		}
		out = append(out, Proche{e, Distance(c.Lat, c.Lon, e.Lat, e.Lon)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DistanceKm != out[j].DistanceKm {
			return out[i].DistanceKm < out[j].DistanceKm
		}
		return out[i].Code < out[j].Code
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// Within returns the located establishments of categorie within km of commune,
// nearest first.
func (s *Set) Within(commune, categorie string, km float64) ([]Proche, error) {
	all, err := s.Nearest(commune, categorie, 0)
	if err != nil {
		return nil, err
	}
	i := sort.Search(len(all), func(i int) bool { return all[i].DistanceKm > km })
	return all[:i], nil
}
