package web

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
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
		var rings [][][2]float64 // projected outer rings, for the label
		for _, p := range d.polys {
			for ri, ring := range p {
				prev := ""
				n := 0
				var pr [][2]float64
				for _, pt := range ring {
					x, y := proj(pt)
					if ri == 0 {
						pr = append(pr, [2]float64{x, y})
					}
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
				}
				sb.WriteString("Z")
				if ri == 0 {
					rings = append(rings, pr)
				}
			}
		}
		x, y := labelPoint(rings)
		c.Deps = append(c.Deps, carteDep{Code: d.code, Nom: d.nom, Path: sb.String(), X: math.Round(x), Y: math.Round(y)})
	}
	return c, nil
}

// labelPoint returns a point well inside the outer rings: on horizontal lines
// across the shape (from 30 % to 70 % of its height), the middle of the widest
// stretch inside it. A box's centre can fall outside a curved département.
func labelPoint(rings [][][2]float64) (float64, float64) {
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, r := range rings {
		for _, p := range r {
			y0, y1 = math.Min(y0, p[1]), math.Max(y1, p[1])
		}
	}
	bestW, bx, by := -1.0, 0.0, (y0+y1)/2
	for f := 0.3; f <= 0.701; f += 0.05 {
		y := y0 + f*(y1-y0)
		var xs []float64
		for _, r := range rings {
			for i := range r {
				a, b := r[i], r[(i+1)%len(r)]
				if (a[1] <= y) != (b[1] <= y) {
					xs = append(xs, a[0]+(y-a[1])/(b[1]-a[1])*(b[0]-a[0]))
				}
			}
		}
		sort.Float64s(xs)
		for i := 0; i+1 < len(xs); i += 2 {
			if w := xs[i+1] - xs[i]; w > bestW {
				bestW, bx, by = w, (xs[i]+xs[i+1])/2, y
			}
		}
	}
	return bx, by
}
