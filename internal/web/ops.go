package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/ops"
	"medconseil/internal/sqldb"
)

func (s *Server) opsRoutes() {
	s.mux.Handle("GET /exploitation", s.page(s.healthPage))
	s.addNav("/exploitation", "Exploitation", authz.CanAdminUsers)
	s.mux.Handle("GET /api/v1/acces", s.api(s.apiAcces))
	s.mux.Handle("GET /api/v1/acces/dossier-communicable", s.api(s.apiCommunicable))
}

// apiCommunicable produces the communicable file of one assuré as a PDF: the
// dossiers as far as the requester may see them (a praticien-conseil of the
// territory: with the medical reasons), and for the auditor / DPO the list of
// accesses. Only the service médical's medical roles and the auditor may ask.
func (s *Server) apiCommunicable(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	if !authz.CanAudit(a) && !a.Has(medconseil.RolePraticienConseil) && !a.Has(medconseil.RoleMedecinChef) && !a.Has(medconseil.RoleMedecinRegional) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "le dossier communicable est établi par un praticien-conseil ou par l'auditeur / DPO"}
	}
	raw := r.URL.Query().Get("nir")
	if raw == "" {
		return medconseil.FieldErrorf("nir", "paramètre « nir » manquant : le NIR de l'assuré (15 chiffres, clé comprise)")
	}
	nir, err := medconseil.ParseNIR(raw)
	if err != nil {
		return medconseil.Prefix("nir", err)
	}
	m := meta(r, "communication")
	c := &ops.Communicable{NIR: nir, Le: s.DB.Now(), Par: a.Login, Paris: paris}
	if c.Dossiers, err = s.DB.DossiersOf(r.Context(), a, nir, m); err != nil {
		return err
	}
	if authz.CanAudit(a) {
		if c.Acces, err = s.DB.AccessesOf(r.Context(), a, nir, m); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := c.WritePDF(&buf); err != nil {
		return medconseil.Internal(err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="dossier-communicable.pdf"`)
	h.Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}

// apiAcces answers the assuré's right of access for its traceability part: who
// accessed the data of one NIR, when, for which finalité (auditeur / DPO only).
func (s *Server) apiAcces(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("nir")
	if raw == "" {
		return medconseil.FieldErrorf("nir", "paramètre « nir » manquant : le NIR de l'assuré (15 chiffres, clé comprise)")
	}
	nir, err := medconseil.ParseNIR(raw)
	if err != nil {
		return medconseil.Prefix("nir", err)
	}
	acc, err := s.DB.AccessesOf(r.Context(), acteurOf(r), nir, meta(r, "acces"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, acc)
	return nil
}

// Thresholds of the health page's warnings.
const (
	schedulerStale  = 10 * time.Minute // no scheduler pass for this long
	checkpointStale = 24 * time.Hour   // no journal checkpoint for this long
)

type healthData struct {
	OK         bool
	Alertes    []string
	Version    string
	Demarre    time.Time
	Moteur     sqldb.Dialect
	Ping       time.Duration
	BaseErr    string
	Migrations []sqldb.AppliedMigration
	Journal    int64
	JournalLe  string
	Scheduler  ops.Scheduler
	SchedAge   time.Duration
	Checkpoint ops.Checkpoint
	CPAge      time.Duration
	Requetes   uint64
	Erreurs    uint64
	Gauges     []sqldb.DossierGauge
	Ouverts    int
	EnRetard   int
}

// healthPage is the operator's view: is the database answering, the schema at the
// expected migrations, the journal growing and checkpointed, the scheduler keeping
// the deadlines, and how many dossiers are open and overdue where. Aggregates only.
func (s *Server) healthPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	d := s.health(r.Context())
	return s.render(w, r, http.StatusOK, "exploitation", view{Title: "État du service", Data: d})
}

func (s *Server) health(ctx context.Context) healthData {
	now := s.DB.Now()
	d := healthData{Version: s.Config.Version, Demarre: s.metrics.start, Moteur: s.DB.Dialect()}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	start := time.Now()
	err := s.DB.Ping(pctx)
	cancel()
	d.Ping = time.Since(start)
	if err != nil {
		s.Log.Error("santé : base", "err", err)
		d.BaseErr = "la base de données ne répond pas"
		d.Alertes = append(d.Alertes, "La base de données ne répond pas : les utilisateurs ne peuvent pas travailler.")
	} else {
		if d.Migrations, err = s.DB.AppliedMigrations(ctx); err != nil {
			s.Log.Error("santé : migrations", "err", err)
		}
		if d.Journal, d.JournalLe, err = s.DB.JournalHead(ctx); err != nil {
			s.Log.Error("santé : journal", "err", err)
		}
		if d.Gauges, err = s.dossierGauges(ctx); err != nil {
			s.Log.Error("santé : dossiers", "err", err)
		}
	}
	for _, g := range d.Gauges {
		d.Ouverts += g.Ouverts
		d.EnRetard += g.EnRetard
	}
	if d.EnRetard > 0 {
		d.Alertes = append(d.Alertes, frInt(d.EnRetard)+" dossiers en attente d'avis ont dépassé leur échéance (détail ci-dessous).")
	}
	d.Scheduler = s.Config.Ops.Scheduler()
	if d.Scheduler.LastRun.IsZero() {
		d.Alertes = append(d.Alertes, "Aucun passage de l'ordonnanceur des échéances n'a été signalé depuis le démarrage.")
	} else {
		d.SchedAge = now.Sub(d.Scheduler.LastRun)
		if d.SchedAge > schedulerStale {
			d.Alertes = append(d.Alertes, "L'ordonnanceur des échéances n'est pas passé depuis "+d.SchedAge.Round(time.Second).String()+".")
		}
	}
	if d.Scheduler.LastError != "" {
		d.Alertes = append(d.Alertes, "Dernier échec de l'ordonnanceur : "+ops.MaskNIR(d.Scheduler.LastError))
	}
	d.Checkpoint = s.Config.Ops.Checkpoint()
	if d.Checkpoint.At.IsZero() {
		d.Alertes = append(d.Alertes, "Aucun point de contrôle signé du journal d'audit n'a été signalé depuis le démarrage.")
	} else if d.CPAge = now.Sub(d.Checkpoint.At); d.CPAge > checkpointStale {
		d.Alertes = append(d.Alertes, "Le dernier point de contrôle du journal d'audit date de plus de 24 heures.")
	}
	if d.Checkpoint.LastError != "" {
		d.Alertes = append(d.Alertes, "Dernier échec d'un point de contrôle du journal : "+ops.MaskNIR(d.Checkpoint.LastError))
	}
	d.Requetes, d.Erreurs = s.metrics.totals()
	d.OK = len(d.Alertes) == 0
	return d
}

// frInt writes an integer with French digit grouping (narrow no-break space).
func frInt(n int) string {
	s := []byte(strconv.Itoa(n))
	var out []byte
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, "\u202f"...)
		}
		out = append(out, c)
	}
	return string(out)
}
