package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/authz"
	"medconseil/internal/sqldb"
)

type ctxKey int

const (
	keyActeur ctxKey = iota
	keyCSRF
	keySession
	keyToken
)

const (
	sessionCookie    = "mc_session"
	loginCSRFCookie  = "mc_connexion"
	csrfField        = "csrf"
	maxFormBodyBytes = 1 << 20
)

func acteurOf(r *http.Request) *medconseil.Acteur {
	a, _ := r.Context().Value(keyActeur).(*medconseil.Acteur)
	return a
}

func csrfOf(r *http.Request) string {
	c, _ := r.Context().Value(keyCSRF).(string)
	return c
}

type handler func(w http.ResponseWriter, r *http.Request) error

// public serves a page that needs no session (login, 404).
func (s *Server) public(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A logged-in visitor keeps its menu on public pages.
		if c, err := r.Cookie(sessionCookie); err == nil {
			if sess, err := s.DB.SessionByDigest(r.Context(), auth.Digest(c.Value), s.Config.Sessions); err == nil {
				ctx := context.WithValue(r.Context(), keyActeur, sess.Acteur)
				ctx = context.WithValue(ctx, keyCSRF, sess.CSRF)
				r = r.WithContext(ctx)
			}
		}
		if err := h(w, r); err != nil {
			s.renderHTMLError(w, r, err)
		}
	})
}

// toLogin sends a caller without a session to the login page, which brings him
// back where he was. A form posted after the session ended comes back to the page
// it was posted from (the dossier, the procedure…), not to its POST-only address,
// which would be « Page introuvable »; a draft avis is kept on the server
// (brouillon.js) and shown there again.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/connexion?retour="+url.QueryEscape(s.retourOf(r)), http.StatusSeeOther)
}

// retourOf is the address to come back to after logging in: the request's own
// for a GET, otherwise the nearest enclosing path a GET is served at.
func (s *Server) retourOf(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	p := r.URL.Path
	for p != "" && p != "/" {
		probe := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}, Host: r.Host, Header: http.Header{}}
		// "/" is the catch-all that answers « Page introuvable ».
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			return p
		}
		p = p[:strings.LastIndex(p, "/")]
	}
	return "/"
}

// page serves a page for a logged-in user: the session cookie is required, and every
// POST must carry the session's CSRF token.
func (s *Server) page(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			s.toLogin(w, r)
			return
		}
		digest := auth.Digest(c.Value)
		sess, err := s.DB.SessionByDigest(r.Context(), digest, s.Config.Sessions)
		if err != nil {
			s.clearSessionCookie(w)
			s.renderHTMLError(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), keyActeur, sess.Acteur)
		ctx = context.WithValue(ctx, keyCSRF, sess.CSRF)
		ctx = context.WithValue(ctx, keySession, digest)
		r = r.WithContext(ctx)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBodyBytes)
			if err := r.ParseForm(); err != nil {
				s.renderHTMLError(w, r, &medconseil.Error{Code: medconseil.EINVALID, Message: "formulaire illisible ou trop volumineux", Err: err})
				return
			}
			if err := checkValues(r.PostForm, "formulaire"); err != nil {
				s.renderHTMLError(w, r, err)
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue(csrfField)), []byte(sess.CSRF)) != 1 {
				s.renderHTMLError(w, r, &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "jeton de formulaire invalide ou expiré : rechargez la page et recommencez"})
				return
			}
		}
		if err := h(w, r); err != nil {
			s.renderHTMLError(w, r, err)
		}
	})
}

// api serves a JSON endpoint for an API client holding a bearer token.
func (s *Server) api(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || bearer == "" {
			s.renderJSONError(w, r, &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Message: "authentification requise : en-tête « Authorization: Bearer <jeton> » (POST /api/v1/tokens pour en obtenir un)"})
			return
		}
		digest := auth.Digest(strings.TrimSpace(bearer))
		a, err := s.DB.TokenActeur(r.Context(), digest)
		if err != nil {
			s.renderJSONError(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), keyActeur, a)
		ctx = context.WithValue(ctx, keyToken, digest)
		if err := h(w, r.WithContext(ctx)); err != nil {
			s.renderJSONError(w, r, err)
		}
	})
}

// apiPublic serves a JSON endpoint without authentication (token creation).
func (s *Server) apiPublic(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderJSONError(w, r, err)
		}
	})
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteStrictMode, MaxAge: int(s.Config.Sessions.Absolute / time.Second)})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

type loginData struct {
	Login  string
	Retour string
}

// loginForm shows the login page with a CSRF token bound to a short-lived cookie
// (double submit), since there is no session yet.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	return s.showLogin(w, r, http.StatusOK, loginData{Retour: safeReturn(r.URL.Query().Get("retour"))}, nil)
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData, err error) error {
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/connexion", HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	v := view{Title: "Connexion", CSRF: tok, Data: d}
	if err != nil {
		v.Error = s.domainError(r, err)
	}
	return s.render(w, r, status, "connexion", v)
}

// safeReturn keeps only local paths, so the login page cannot redirect elsewhere:
// one leading slash, no scheme or host once parsed, no backslash (browsers read it
// as a slash), no control character (a tab or newline inside "//" is dropped by
// browsers), bounded length.
func safeReturn(p string) string {
	if len(p) == 0 || len(p) > 2048 || p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\") {
		return "/"
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f || c == utf8.RuneError {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBodyBytes)
	if err := r.ParseForm(); err != nil {
		return &medconseil.Error{Code: medconseil.EINVALID, Message: "formulaire illisible", Err: err}
	}
	if err := checkValues(r.PostForm, "formulaire"); err != nil {
		return s.showLogin(w, r, http.StatusUnprocessableEntity, loginData{}, err)
	}
	d := loginData{Login: strings.TrimSpace(r.PostFormValue("login")), Retour: safeReturn(r.PostFormValue("retour"))}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) != 1 {
		return s.showLogin(w, r, http.StatusForbidden, d, &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "jeton de formulaire invalide ou expiré : recommencez"})
	}
	id, err := s.authenticate(r, d.Login, r.PostFormValue("password"))
	if err != nil {
		return s.showLogin(w, r, statusOf(medconseil.ErrorCode(err)), d, err)
	}
	token, digest, err := auth.NewToken()
	if err != nil {
		return medconseil.Internal(err)
	}
	if err := s.DB.CreateSession(r.Context(), id, digest, randomToken(), s.Config.Sessions, meta(r, "connexion")); err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/connexion", MaxAge: -1})
	http.Redirect(w, r, d.Retour, http.StatusSeeOther)
	return nil
}

// authenticate checks a login and password under the progressive delays and
// returns the account id. The attempt is reserved (counted) before the password is
// checked, in one write transaction, so parallel guesses are counted one by one;
// an attempt inside a delay is refused without checking the password. Every failure
// gives the same message, whether the login exists or not, and costs the same time.
func (s *Server) authenticate(r *http.Request, login, password string) (int64, error) {
	ctx := r.Context()
	m := meta(r, "connexion")
	if len(login) > 64 || len(password) > auth.MaxPasswordBytes {
		return 0, &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Field: "login", Message: "identifiant ou mot de passe incorrect"}
	}
	keyAccount, keyAddr := "login:"+login, "adresse:"+remoteAddr(r)
	wait, err := s.DB.ReserveLogin(ctx, login, []sqldb.ThrottleKey{{Key: keyAccount, Policy: s.Config.ThrottleAccount}, {Key: keyAddr, Policy: s.Config.ThrottleAddress}}, m)
	if err != nil {
		return 0, err
	}
	if wait > 0 {
		secs := int(wait.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return 0, &medconseil.Error{Code: medconseil.ETOOMANY, Message: fmt.Sprintf("trop d'échecs de connexion récents : réessayez dans %d s (un administrateur peut débloquer le compte)", secs)}
	}
	bad := &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Field: "login", Message: "identifiant ou mot de passe incorrect"}
	id, hash, actif, err := s.DB.Credentials(ctx, login)
	ok := false
	switch {
	case medconseil.ErrorCode(err) == medconseil.ENOTFOUND:
		err = s.hasher.Burn(ctx, password)
	case err != nil:
		return 0, err
	default:
		ok, err = s.hasher.Verify(ctx, hash, password)
	}
	if err != nil {
		return 0, s.busy(err)
	}
	if ok && actif {
		if err := s.DB.LoginSucceeded(ctx, keyAccount, keyAddr); err != nil {
			return 0, err
		}
		return id, nil
	}
	if err := s.DB.Journal(ctx, &medconseil.Acteur{Login: login}, "connexion", "session", m, sqldb.ResultRefused); err != nil {
		return 0, err
	}
	return 0, bad
}

// busy turns a refusal of the password hasher into a 429 (queue full) or passes
// a cancellation on.
func (s *Server) busy(err error) error {
	if errors.Is(err, auth.ErrBusy) {
		return &medconseil.Error{Code: medconseil.ETOOMANY, Message: "serveur très sollicité : réessayez dans quelques secondes", Err: err}
	}
	return &medconseil.Error{Code: medconseil.EINVALID, Message: "requête interrompue", Err: err}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	digest, _ := r.Context().Value(keySession).(string)
	if err := s.DB.DeleteSession(r.Context(), acteurOf(r), digest, meta(r, "deconnexion")); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
	return nil
}

// apiCreateToken exchanges a login and password for a bearer token.
func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
		Libelle  string `json:"libelle"`
	}
	if _, err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Login == "" {
		return medconseil.FieldErrorf("login", "identifiant manquant")
	}
	id, err := s.authenticate(r, in.Login, in.Password)
	if err != nil {
		return err
	}
	token, digest, err := auth.NewToken()
	if err != nil {
		return medconseil.Internal(err)
	}
	if in.Libelle == "" {
		in.Libelle = "API " + s.DB.Now().Format("2006-01-02")
	}
	if err := medconseil.CheckText("libelle", in.Libelle, 200); err != nil {
		return err
	}
	if _, err := s.DB.CreateToken(r.Context(), id, digest, in.Libelle, s.Config.TokenTTL, meta(r, "api")); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": token, "expire_le": s.DB.Now().Add(s.Config.TokenTTL).UTC().Format(time.RFC3339)})
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	digest, _ := r.Context().Value(keyToken).(string)
	if err := s.DB.RevokeToken(r.Context(), acteurOf(r), digest, 0, meta(r, "api")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// home sends each role to its first screen.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	a := acteurOf(r)
	target := "/dossiers"
	switch {
	case s.DB.Policy.CanDashboard(a): // médecin chef, régional, statisticien: the dashboard
		target = "/tableau-de-bord"
	case !s.DB.Policy.ListFilter(a).Empty():
	case authz.CanAudit(a):
		target = "/audit"
	case authz.CanAdminUsers(a):
		target = "/admin/utilisateurs"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}
