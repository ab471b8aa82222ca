package web

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// The outlines of the Grand Est départements for the dashboard's choropleth map,
// read from the shared reference directory (geo/cartes, see its PROVENANCE.md:
// WGS84 outlines, 5 decimals), never copied into the repository, and turned once
// into SVG paths in a plane projection.

// carteFichier is the outline file, relative to the reference directory.
const carteFichier = "geo/cartes/departements-grand-est.geojson"

// Size of the map's drawing, in SVG units.
const (
	carteLargeur = 520.0
	carteMarge   = 8.0
)

// carteDep is one département: its code, name, SVG path and label position.
type carteDep struct {
	Code, Nom string
	Path      string
	X, Y      float64 // a point inside, for the label (centre of the largest ring's box)
}

// carte is the projected map.
type carte struct {
	Deps          []carteDep
	Width, Height float64
}

// carteCache loads the map once per server.
type carteCache struct {
	once sync.Once
	c    *carte
	err  error
}

func (cc *carteCache) get(dir string) (*carte, error) {
	cc.once.Do(func() {
		if dir == "" {
			cc.err = fmt.Errorf("répertoire des référentiels non configuré (MEDCONSEIL_REFERENCE ou ../shared/reference)")
			return
		}
		cc.c, cc.err = loadCarte(filepath.Join(dir, carteFichier))
	})
	return cc.c, cc.err
}

type geoJSON struct {
	Features []struct {
		Properties struct {
			Code string `json:"code"`
			Nom  string `json:"nom"`
		} `json:"properties"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

// loadCarte reads a GeoJSON FeatureCollection of polygons and multipolygons with
// properties code and nom, and projects it: an equirectangular projection with
// longitudes shrunk by the cosine of the mean latitude, which keeps the shapes of
// a region this size recognisable.
func loadCarte(path string) (*carte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("contours des départements illisibles : %w", err)
	}
	var g geoJSON
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("%s : GeoJSON illisible : %w", path, err)
	}
	type dep struct {
		code, nom string
		polys     [][][][2]float64
	}
	var deps []dep
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, f := range g.Features {
		var polys [][][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			polys = [][][][2]float64{p}
		case "MultiPolygon":
			err = json.Unmarshal(f.Geometry.Coordinates, &polys)
		default:
			err = fmt.Errorf("géométrie %q non gérée", f.Geometry.Type)
		}
		if err != nil || f.Properties.Code == "" {
			return nil, fmt.Errorf("%s : entité %d (%s) : contour illisible : %v", path, i+1, f.Properties.Code, err)
		}
		for _, p := range polys {
			for _, ring := range p {
				for _, pt := range ring {
					minLon, maxLon = math.Min(minLon, pt[0]), math.Max(maxLon, pt[0])
					minLat, maxLat = math.Min(minLat, pt[1]), math.Max(maxLat, pt[1])
				}
			}
		}
		deps = append(deps, dep{f.Properties.Code, f.Properties.Nom, polys})
	}
	if len(deps) == 0 {
		return nil, fmt.Errorf("%s : aucun département", path)
	}
	k := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	scale := (carteLargeur - 2*carteMarge) / ((maxLon - minLon) * k)
	c := &carte{Width: carteLargeur, Height: math.Ceil((maxLat-minLat)*scale + 2*carteMarge)}
	proj := func(pt [2]float64) (float64, float64) {
		return carteMarge + (pt[0]-minLon)*k*scale, carteMarge + (maxLat-pt[1])*scale
	}
	num := func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
	for _, d := range deps {
		var sb strings.Builder
		best := 0.0
		var lx, ly float64
		for _, p := range d.polys {
			for ri, ring := range p {
				prev := ""
				x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
				n := 0
				for _, pt := range ring {
					x, y := proj(pt)
					s := num(x) + " " + num(y)
					if s == prev {
						continue // a point within a tenth of a unit of the last one
					}
					if n == 0 {
						sb.WriteString("M")
					} else {
						sb.WriteString("L")
					}
					sb.WriteString(s)
					prev = s
					n++
					x0, x1, y0, y1 = math.Min(x0, x), math.Max(x1, x), math.Min(y0, y), math.Max(y1, y)
				}
				sb.WriteString("Z")
				if a := (x1 - x0) * (y1 - y0); ri == 0 && a > best {
					best, lx, ly = a, (x0+x1)/2, (y0+y1)/2
				}
			}
		}
		c.Deps = append(c.Deps, carteDep{Code: d.code, Nom: d.nom, Path: sb.String(), X: math.Round(lx), Y: math.Round(ly)})
	}
	return c, nil
}
