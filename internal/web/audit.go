package web

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"time"

	"medconseil"
	"medconseil/internal/authz"
	"medconseil/internal/sqldb"
)

func (s *Server) auditRoutes() {
	s.mux.Handle("GET /audit", s.page(s.auditPage))
	s.mux.Handle("GET /audit.csv", s.page(s.auditCSV))
	s.mux.Handle("GET /api/v1/audit", s.api(s.apiAudit))
	s.addNav("/audit", "Journal d'audit", authz.CanAudit)
}

type auditData struct {
	Q       auditForm
	Entries []sqldb.AuditEntry
	Total   int
	Prev    string
	Next    string
	Verif   string
	VerifOK bool
}

type auditForm struct {
	Login, Objet, Action, Depuis, Avant string
	Page                                int
}

// auditQuery reads the journal filters; dates are calendar days in Paris time.
func auditQuery(r *http.Request) (auditForm, sqldb.AuditQuery, error) {
	v := r.URL.Query()
	f := auditForm{Login: v.Get("login"), Objet: v.Get("objet"), Action: v.Get("action"), Depuis: v.Get("depuis"), Avant: v.Get("avant")}
	q := sqldb.AuditQuery{Login: f.Login, Objet: f.Objet, Action: f.Action, Limit: 100}
	var errs []error
	if f.Depuis != "" {
		d, err := medconseil.ParseDate(f.Depuis)
		if err != nil {
			errs = append(errs, medconseil.Prefix("depuis", err))
		}
		q.Depuis = d.Time(paris)
	}
	if f.Avant != "" {
		d, err := medconseil.ParseDate(f.Avant)
		if err != nil {
			errs = append(errs, medconseil.Prefix("avant", err))
		}
		q.Avant = d.AddDays(1).Time(paris)
	}
	f.Page = 1
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 1 {
		f.Page = p
	}
	if f.Page > maxPage {
		errs = append(errs, medconseil.FieldErrorf("page", "page %d hors limites (%d au plus)", f.Page, maxPage))
		f.Page = 1
	}
	q.Offset = (f.Page - 1) * q.Limit
	return f, q, errors.Join(errs...)
}

func (s *Server) requireAuditor(r *http.Request) error {
	if !authz.CanAudit(acteurOf(r)) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "le journal d'audit est réservé à l'auditeur / DPO"}
	}
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAuditor(r); err != nil {
		return err
	}
	f, q, qerr := auditQuery(r)
	d := auditData{Q: f}
	if qerr == nil {
		entries, total, err := s.DB.AuditEntries(r.Context(), acteurOf(r), q, meta(r, "audit"))
		if err != nil {
			return err
		}
		d.Entries, d.Total = entries, total
		link := func(p int) string {
			v := r.URL.Query()
			v.Set("page", strconv.Itoa(p))
			return "/audit?" + v.Encode()
		}
		if f.Page > 1 {
			d.Prev = link(f.Page - 1)
		}
		if f.Page*q.Limit < total {
			d.Next = link(f.Page + 1)
		}
	}
	if r.URL.Query().Get("verifier") == "1" {
		start := time.Now()
		n, problem, err := s.DB.VerifyAudit(r.Context())
		if err != nil {
			return err
		}
		if problem != nil {
			d.Verif = problem.Error()
		} else {
			d.VerifOK = true
			d.Verif = "Chaîne intègre : " + strconv.FormatInt(n, 10) + " entrées vérifiées en " + time.Since(start).Round(time.Millisecond).String() + "."
		}
	}
	v := view{Title: "Journal d'audit", Data: d}
	if qerr != nil {
		v.Fields = fieldMap(qerr)
	}
	return s.render(w, r, http.StatusOK, "audit", v)
}

func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAuditor(r); err != nil {
		return err
	}
	_, q, err := auditQuery(r)
	if err != nil {
		return err
	}
	q.Limit, q.Offset = 500, 0
	entries, _, err := s.DB.AuditEntries(r.Context(), acteurOf(r), q, meta(r, "audit.export"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="journal-audit.csv"`)
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"seq", "le", "login", "roles", "action", "objet", "classes", "finalite", "adresse", "resultat", "hash"})
	for _, e := range entries {
		_ = cw.Write(csvSafe([]string{strconv.FormatInt(e.Seq, 10), e.Le.UTC().Format(time.RFC3339), e.Login, e.Roles, e.Action, e.Objet, e.Classes, e.Finalite, e.Adresse, e.Resultat, e.Hash}))
	}
	cw.Flush()
	return cw.Error()
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAuditor(r); err != nil {
		return err
	}
	_, q, err := auditQuery(r)
	if err != nil {
		return err
	}
	entries, total, err := s.DB.AuditEntries(r.Context(), acteurOf(r), q, meta(r, "audit"))
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []sqldb.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "entrees": entries})
	return nil
}
