package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/authz"
	"medconseil/internal/sqldb"
)

func (s *Server) adminRoutes() {
	m := s.mux
	m.Handle("GET /admin/utilisateurs", s.page(s.users))
	m.Handle("POST /admin/utilisateurs", s.page(s.userCreate))
	m.Handle("POST /admin/utilisateurs/{login}/actif", s.page(s.userActive))
	m.Handle("POST /admin/utilisateurs/{login}/mot-de-passe", s.page(s.userPassword))
	m.Handle("POST /admin/utilisateurs/{login}/deverrouiller", s.page(s.userUnlock))
	m.Handle("GET /habilitations", s.page(s.demandes))
	m.Handle("POST /habilitations/{id}", s.page(s.demandeDecide))
	s.addNav("/admin/utilisateurs", "Comptes", authz.CanAdminUsers)
	s.addNav("/habilitations", "Habilitations", canSeeDemandes)
}

// canSeeDemandes shows the requests page to administrators and médecins chefs.
func canSeeDemandes(a *medconseil.Acteur) bool {
	return authz.CanAdminUsers(a) || a.Has(medconseil.RoleMedecinChef) || a.Has(medconseil.RoleMedecinRegional)
}

type usersData struct {
	Users    any
	New      newUser
	Message  string
	Delayed  map[string]time.Time // accounts under a login delay
	Demandes []sqldb.Demande
}

type newUser struct {
	Login, Nom, Role, Territoire string
}

func (s *Server) requireAdmin(r *http.Request) error {
	if !authz.CanAdminUsers(acteurOf(r)) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "réservé aux administrateurs des comptes"}
	}
	return nil
}

func (s *Server) users(w http.ResponseWriter, r *http.Request) error {
	return s.showUsers(w, r, http.StatusOK, usersData{Message: r.URL.Query().Get("ok")}, nil)
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, status int, d usersData, formErr error) error {
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	us, err := s.DB.Users(r.Context())
	if err != nil {
		return err
	}
	d.Users = us
	if d.Delayed, err = s.DB.LoginDelays(r.Context()); err != nil {
		return err
	}
	if d.Demandes, err = s.DB.Demandes(r.Context(), acteurOf(r)); err != nil {
		return err
	}
	v := view{Title: "Comptes", Data: d}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
	}
	return s.render(w, r, status, "utilisateurs", v)
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	n := newUser{Login: strings.TrimSpace(r.PostFormValue("login")), Nom: strings.TrimSpace(r.PostFormValue("nom")),
		Role: r.PostFormValue("role"), Territoire: strings.TrimSpace(r.PostFormValue("territoire"))}
	var errs []error
	role, err := medconseil.ParseRole(n.Role)
	if err != nil {
		errs = append(errs, err)
	}
	terr, err := medconseil.ParseTerritoire(n.Territoire)
	if err != nil {
		errs = append(errs, err)
	}
	password := r.PostFormValue("password")
	if err := auth.CheckPasswordPolicy(password, n.Login); err != nil {
		errs = append(errs, medconseil.FieldErrorf("password", "%v", err))
	}
	if err := medconseil.CheckText("nom", n.Nom, 200); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err == nil {
		hash, err := s.hasher.Hash(r.Context(), password)
		if err != nil {
			return s.busy(err)
		}
		_, err = s.DB.CreateUser(r.Context(), acteurOf(r), n.Login, n.Nom, hash, []medconseil.Habilitation{{Role: role, Territoire: terr}}, meta(r, "administration"))
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		if medconseil.ErrorCode(err) == medconseil.EINVALID {
			return s.showUsers(w, r, http.StatusUnprocessableEntity, usersData{New: n}, err)
		}
		return err
	}
	msg := "Compte créé."
	if authz.SeesClinical(medconseil.Habilitation{Role: role, Territoire: terr}) {
		msg = "Compte créé. Son habilitation donne accès aux données médicales : elle attend l'approbation d'un médecin chef du territoire, qui choisira alors le mot de passe du compte (page Habilitations)."
	}
	http.Redirect(w, r, "/admin/utilisateurs?ok="+url.QueryEscape(msg), http.StatusSeeOther)
	return nil
}

func (s *Server) userActive(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	actif := r.PostFormValue("actif") == "1"
	if err := s.DB.SetActive(r.Context(), acteurOf(r), r.PathValue("login"), actif, meta(r, "administration")); err != nil {
		return err
	}
	msg := "Compte+d%C3%A9sactiv%C3%A9."
	if actif {
		msg = "Compte+r%C3%A9activ%C3%A9."
	}
	http.Redirect(w, r, "/admin/utilisateurs?ok="+msg, http.StatusSeeOther)
	return nil
}

func (s *Server) userPassword(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	login := r.PathValue("login")
	password := r.PostFormValue("password")
	if err := auth.CheckPasswordPolicy(password, login); err != nil {
		return s.showUsers(w, r, http.StatusUnprocessableEntity, usersData{}, medconseil.FieldErrorf("password_"+login, "%v", err))
	}
	hash, err := s.hasher.Hash(r.Context(), password)
	if err != nil {
		return s.busy(err)
	}
	pending, err := s.DB.SetPassword(r.Context(), acteurOf(r), login, hash, meta(r, "administration"))
	if err != nil {
		return err
	}
	msg := "Mot de passe modifié ; les sessions et jetons du compte sont clos."
	if pending {
		msg = "Ce compte accède aux données médicales : sa réinitialisation attend un médecin chef du territoire, qui choisira le nouveau mot de passe et le remettra au titulaire (page Habilitations). Le mot de passe saisi ici n'est pas utilisé."
	}
	http.Redirect(w, r, "/admin/utilisateurs?ok="+url.QueryEscape(msg), http.StatusSeeOther)
	return nil
}

func (s *Server) userUnlock(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	if err := s.DB.Unlock(r.Context(), acteurOf(r), r.PathValue("login"), meta(r, "administration")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/utilisateurs?ok="+url.QueryEscape("Compte débloqué : le délai de connexion est levé."), http.StatusSeeOther)
	return nil
}

type demandesData struct {
	Demandes []sqldb.Demande
	Message  string
}

// demandes lists the pending requests: the administrator follows them, the
// médecin chef of the territory approves or refuses them.
func (s *Server) demandes(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	if !canSeeDemandes(a) {
		return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "réservé aux administrateurs et aux médecins chefs"}
	}
	return s.showDemandes(w, r, http.StatusOK, nil)
}

func (s *Server) showDemandes(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	ds, err := s.DB.Demandes(r.Context(), acteurOf(r))
	if err != nil {
		return err
	}
	v := view{Title: "Habilitations à approuver", Data: demandesData{Demandes: ds, Message: r.URL.Query().Get("ok")}}
	if formErr != nil {
		v.Fields = fieldMap(formErr)
	}
	return s.render(w, r, status, "habilitations", v)
}

func (s *Server) demandeDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return medconseil.NotFound("Demande")
	}
	var approve bool
	switch r.PostFormValue("decision") {
	case "approuver":
		approve = true
	case "refuser":
	default:
		return medconseil.FieldErrorf("decision", "décision attendue : approuver ou refuser")
	}
	hash := ""
	if approve {
		// The approver chooses the account's password: the administrator never
		// holds a working credential to clinical data.
		a := acteurOf(r)
		ds, err := s.DB.Demandes(r.Context(), a)
		if err != nil {
			return err
		}
		login := ""
		for _, d := range ds {
			if d.ID == id && d.Approvable {
				login = d.Login
			}
		}
		password := r.PostFormValue("password")
		if login != "" {
			if err := auth.CheckPasswordPolicy(password, login); err != nil {
				return s.showDemandes(w, r, http.StatusUnprocessableEntity, medconseil.FieldErrorf(fmt.Sprintf("password_%d", id), "%v", err))
			}
			if hash, err = s.hasher.Hash(r.Context(), password); err != nil {
				return s.busy(err)
			}
		}
	}
	if err := s.DB.DecideRequest(r.Context(), acteurOf(r), id, approve, hash, meta(r, "administration")); err != nil {
		return err
	}
	msg := "Demande refusée."
	if approve {
		msg = "Demande approuvée."
	}
	http.Redirect(w, r, "/habilitations?ok="+url.QueryEscape(msg), http.StatusSeeOther)
	return nil
}
