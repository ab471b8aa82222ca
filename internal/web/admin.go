package web

import (
	"errors"
	"net/http"
	"strings"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/authz"
)

func (s *Server) adminRoutes() {
	m := s.mux
	m.Handle("GET /admin/utilisateurs", s.page(s.users))
	m.Handle("POST /admin/utilisateurs", s.page(s.userCreate))
	m.Handle("POST /admin/utilisateurs/{login}/actif", s.page(s.userActive))
	m.Handle("POST /admin/utilisateurs/{login}/mot-de-passe", s.page(s.userPassword))
	s.addNav("/admin/utilisateurs", "Comptes", authz.CanAdminUsers)
}

type usersData struct {
	Users   any
	New     newUser
	Message string
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
	hash, err := auth.HashPassword(r.PostFormValue("password"), auth.DefaultParams)
	if err != nil {
		errs = append(errs, medconseil.FieldErrorf("password", "%v", err))
	}
	if err := errors.Join(errs...); err == nil {
		_, err = s.DB.CreateUser(r.Context(), acteurOf(r), n.Login, n.Nom, hash, []medconseil.Habilitation{{Role: role, Territoire: terr}}, meta(r, "administration"))
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		if medconseil.ErrorCode(err) == medconseil.EINVALID {
			return s.showUsers(w, r, http.StatusUnprocessableEntity, usersData{New: n}, err)
		}
		return err
	}
	http.Redirect(w, r, "/admin/utilisateurs?ok=Compte+cr%C3%A9%C3%A9.", http.StatusSeeOther)
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
	hash, err := auth.HashPassword(r.PostFormValue("password"), auth.DefaultParams)
	if err != nil {
		return s.showUsers(w, r, http.StatusUnprocessableEntity, usersData{}, medconseil.FieldErrorf("password_"+r.PathValue("login"), "%v", err))
	}
	if err := s.DB.SetPassword(r.Context(), acteurOf(r), r.PathValue("login"), hash, meta(r, "administration")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/utilisateurs?ok=Mot+de+passe+modifi%C3%A9.", http.StatusSeeOther)
	return nil
}
