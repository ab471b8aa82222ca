package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"medconseil"
)

// Utilisateur is an account as the administration screens see it.
type Utilisateur struct {
	medconseil.Acteur
	Actif  bool      `json:"actif"`
	CreeLe time.Time `json:"cree_le"`
}

// CreateUser creates an account with its habilitations; passwordHash comes from
// auth.HashPassword. by is the administrator (nil from the command line).
func (db *DB) CreateUser(ctx context.Context, by *medconseil.Acteur, login, nom, passwordHash string, habs []medconseil.Habilitation, m Meta) (int64, error) {
	login = strings.TrimSpace(login)
	if err := validLogin(login); err != nil {
		return 0, err
	}
	if strings.TrimSpace(nom) == "" {
		return 0, medconseil.FieldErrorf("nom", "nom manquant")
	}
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO utilisateur (login, nom, password_hash, actif, cree_le) VALUES (?, ?, ?, 1, ?) RETURNING id`,
			login, nom, passwordHash, ts(db.Now())).Scan(&id)
		if isUniqueViolation(err) {
			return medconseil.FieldErrorf("login", "l'identifiant %q est déjà pris", login)
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		if err := tx.setHabilitations(ctx, id, habs); err != nil {
			return err
		}
		return tx.journal(ctx, by, "compte.creation", "utilisateur:"+login, 0, m, ResultOK)
	})
	return id, err
}

func validLogin(login string) error {
	if login == "" {
		return medconseil.FieldErrorf("login", "identifiant manquant")
	}
	if len(login) > 64 {
		return medconseil.FieldErrorf("login", "identifiant trop long (64 caractères au plus)")
	}
	for _, r := range login {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return medconseil.FieldErrorf("login", "identifiant %q : seuls les minuscules sans accent, chiffres, point, tiret et souligné sont permis", login)
		}
	}
	return nil
}

func (t *Tx) setHabilitations(ctx context.Context, id int64, habs []medconseil.Habilitation) error {
	if _, err := t.Exec(ctx, `DELETE FROM habilitation WHERE utilisateur_id = ?`, id); err != nil {
		return medconseil.Internal(err)
	}
	for _, h := range habs {
		if _, err := t.Exec(ctx, `INSERT INTO habilitation (utilisateur_id, role, niveau, code) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			id, string(h.Role), string(h.Territoire.Niveau), h.Territoire.Code); err != nil {
			return medconseil.Internal(err)
		}
	}
	return nil
}

// SetPassword replaces the password hash of an account and ends its sessions.
func (db *DB) SetPassword(ctx context.Context, by *medconseil.Acteur, login, passwordHash string, m Meta) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE utilisateur SET password_hash = ? WHERE login = ?`, passwordHash, login)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return medconseil.NotFound("Compte " + login)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM session WHERE utilisateur_id = (SELECT id FROM utilisateur WHERE login = ?)`, login); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, by, "compte.mot_de_passe", "utilisateur:"+login, 0, m, ResultOK)
	})
}

// SetActive enables or disables an account; disabling ends its sessions and tokens.
func (db *DB) SetActive(ctx context.Context, by *medconseil.Acteur, login string, actif bool, m Meta) error {
	return db.Write(ctx, func(tx *Tx) error {
		v := 0
		if actif {
			v = 1
		}
		res, err := tx.Exec(ctx, `UPDATE utilisateur SET actif = ? WHERE login = ?`, v, login)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return medconseil.NotFound("Compte " + login)
		}
		if !actif {
			if _, err := tx.Exec(ctx, `DELETE FROM session WHERE utilisateur_id = (SELECT id FROM utilisateur WHERE login = ?)`, login); err != nil {
				return medconseil.Internal(err)
			}
			if _, err := tx.Exec(ctx, `UPDATE api_token SET revoque_le = ? WHERE revoque_le IS NULL AND utilisateur_id = (SELECT id FROM utilisateur WHERE login = ?)`, ts(db.Now()), login); err != nil {
				return medconseil.Internal(err)
			}
		}
		action := "compte.activation"
		if !actif {
			action = "compte.desactivation"
		}
		return tx.journal(ctx, by, action, "utilisateur:"+login, 0, m, ResultOK)
	})
}

// Credentials returns the id, password hash and active flag of a login, for the
// login check. A missing login is ENOTFOUND.
func (db *DB) Credentials(ctx context.Context, login string) (id int64, hash string, actif bool, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		var a int
		err := tx.QueryRow(ctx, `SELECT id, password_hash, actif FROM utilisateur WHERE login = ?`, login).Scan(&id, &hash, &a)
		if errors.Is(err, sql.ErrNoRows) {
			return medconseil.NotFound("Compte")
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		actif = a == 1
		return nil
	})
	return
}

// ActeurByID loads an acteur with its habilitations.
func (db *DB) ActeurByID(ctx context.Context, id int64) (*medconseil.Acteur, error) {
	var a *medconseil.Acteur
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		a, err = tx.acteur(ctx, id)
		return err
	})
	return a, err
}

func (t *Tx) acteur(ctx context.Context, id int64) (*medconseil.Acteur, error) {
	a := &medconseil.Acteur{ID: id}
	var actif int
	err := t.QueryRow(ctx, `SELECT login, nom, actif FROM utilisateur WHERE id = ?`, id).Scan(&a.Login, &a.Nom, &actif)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && actif != 1) {
		return nil, &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Message: "compte inconnu ou désactivé"}
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	rows, err := t.Query(ctx, `SELECT role, niveau, code FROM habilitation WHERE utilisateur_id = ? ORDER BY role, niveau, code`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var h medconseil.Habilitation
		var role, niveau string
		if err := rows.Scan(&role, &niveau, &h.Territoire.Code); err != nil {
			return nil, medconseil.Internal(err)
		}
		h.Role, h.Territoire.Niveau = medconseil.Role(role), medconseil.Niveau(niveau)
		a.Habilitations = append(a.Habilitations, h)
	}
	if err := rows.Err(); err != nil {
		return nil, medconseil.Internal(err)
	}
	return a, nil
}

// Users lists the accounts.
func (db *DB) Users(ctx context.Context) ([]Utilisateur, error) {
	var out []Utilisateur
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, actif, cree_le FROM utilisateur ORDER BY login`)
		if err != nil {
			return medconseil.Internal(err)
		}
		type row struct {
			id    int64
			actif int
			cree  string
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.actif, &r.cree); err != nil {
				rows.Close()
				return medconseil.Internal(err)
			}
			rs = append(rs, r)
		}
		rows.Close()
		for _, r := range rs {
			u := Utilisateur{Actif: r.actif == 1}
			u.CreeLe, _ = parseTS(r.cree)
			// acteur() refuses inactive accounts; read those directly.
			u.Acteur.ID = r.id
			if err := tx.QueryRow(ctx, `SELECT login, nom FROM utilisateur WHERE id = ?`, r.id).Scan(&u.Login, &u.Nom); err != nil {
				return medconseil.Internal(err)
			}
			hrows, err := tx.Query(ctx, `SELECT role, niveau, code FROM habilitation WHERE utilisateur_id = ? ORDER BY role`, r.id)
			if err != nil {
				return medconseil.Internal(err)
			}
			for hrows.Next() {
				var h medconseil.Habilitation
				var role, niveau string
				if err := hrows.Scan(&role, &niveau, &h.Territoire.Code); err != nil {
					hrows.Close()
					return medconseil.Internal(err)
				}
				h.Role, h.Territoire.Niveau = medconseil.Role(role), medconseil.Niveau(niveau)
				u.Habilitations = append(u.Habilitations, h)
			}
			hrows.Close()
			out = append(out, u)
		}
		return nil
	})
	return out, err
}

// UserExists reports whether a login is taken.
func (db *DB) UserExists(ctx context.Context, login string) (bool, error) {
	var n int
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM utilisateur WHERE login = ?`, login).Scan(&n)
	})
	return n > 0, err
}

// Session is a server-side login session.
type Session struct {
	Acteur *medconseil.Acteur
	CSRF   string
}

// SessionPolicy sets the lifetimes of sessions.
type SessionPolicy struct {
	Idle     time.Duration // ends after this long without a request
	Absolute time.Duration // ends this long after login, whatever the activity
}

// CreateSession stores a session under the digest of its token and journals the login.
func (db *DB) CreateSession(ctx context.Context, userID int64, digest, csrf string, p SessionPolicy, m Meta) error {
	now := db.Now()
	return db.Write(ctx, func(tx *Tx) error {
		a, err := tx.acteur(ctx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO session (id_hash, utilisateur_id, csrf, cree_le, vu_le, expire_le, adresse) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			digest, userID, csrf, ts(now), ts(now), ts(now.Add(p.Absolute)), m.Adresse); err != nil {
			return medconseil.Internal(err)
		}
		// Forget the failures of this account once it has logged in.
		if _, err := tx.Exec(ctx, `DELETE FROM login_echec WHERE cle = ?`, "login:"+a.Login); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "connexion", "session", 0, m, ResultOK)
	})
}

// SessionByDigest returns the live session with this token digest. It refreshes the
// idle clock at most once a minute, so most requests only read.
func (db *DB) SessionByDigest(ctx context.Context, digest string, p SessionPolicy) (*Session, error) {
	now := db.Now()
	var uid int64
	var csrf, vu, expire string
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT utilisateur_id, csrf, vu_le, expire_le FROM session WHERE id_hash = ?`, digest).Scan(&uid, &csrf, &vu, &expire)
	})
	unauth := &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Message: "session expirée : veuillez vous reconnecter"}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauth
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	vuT, _ := parseTS(vu)
	expT, _ := parseTS(expire)
	if now.After(expT) || now.Sub(vuT) > p.Idle {
		_ = db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM session WHERE id_hash = ?`, digest)
			return err
		})
		return nil, unauth
	}
	if now.Sub(vuT) > time.Minute {
		if err := db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `UPDATE session SET vu_le = ? WHERE id_hash = ?`, ts(now), digest)
			return err
		}); err != nil {
			return nil, err
		}
	}
	a, err := db.ActeurByID(ctx, uid)
	if err != nil {
		return nil, err
	}
	return &Session{Acteur: a, CSRF: csrf}, nil
}

// DeleteSession ends a session (logout) and journals it.
func (db *DB) DeleteSession(ctx context.Context, a *medconseil.Acteur, digest string, m Meta) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM session WHERE id_hash = ?`, digest); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "deconnexion", "session", 0, m, ResultOK)
	})
}

// CreateToken stores an API token digest for a user and journals it.
func (db *DB) CreateToken(ctx context.Context, userID int64, digest, libelle string, m Meta) (int64, error) {
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		a, err := tx.acteur(ctx, userID)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO api_token (utilisateur_id, hash, libelle, cree_le) VALUES (?, ?, ?, ?) RETURNING id`,
			userID, digest, libelle, ts(db.Now())).Scan(&id); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "jeton.creation", fmt.Sprintf("jeton:%d", id), 0, m, ResultOK)
	})
	return id, err
}

// TokenActeur returns the acteur owning a live API token.
func (db *DB) TokenActeur(ctx context.Context, digest string) (*medconseil.Acteur, error) {
	var uid int64
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT utilisateur_id FROM api_token WHERE hash = ? AND revoque_le IS NULL`, digest).Scan(&uid)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Message: "jeton d'API inconnu ou révoqué"}
	}
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	return db.ActeurByID(ctx, uid)
}

// RevokeToken revokes a token by its digest (the holder logging out) or by id (an
// administrator); it is journaled.
func (db *DB) RevokeToken(ctx context.Context, by *medconseil.Acteur, digest string, id int64, m Meta) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE api_token SET revoque_le = ? WHERE revoque_le IS NULL AND (hash = ? OR id = ?)`, ts(db.Now()), digest, id)
		if err != nil {
			return medconseil.Internal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return medconseil.NotFound("Jeton")
		}
		return tx.journal(ctx, by, "jeton.revocation", fmt.Sprintf("jeton:%d", id), 0, m, ResultOK)
	})
}

// LoginFailures counts the failures recorded under key since t.
func (db *DB) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM login_echec WHERE cle = ? AND le >= ?`, key, ts(since)).Scan(&n)
	})
	if err != nil {
		return 0, medconseil.Internal(err)
	}
	return n, nil
}

// RecordLoginFailure records a failed login under the account and address keys,
// forgets failures older than keep, and journals the attempt.
func (db *DB) RecordLoginFailure(ctx context.Context, login string, keys []string, keep time.Duration, m Meta) error {
	now := db.Now()
	return db.Write(ctx, func(tx *Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, `INSERT INTO login_echec (cle, le) VALUES (?, ?)`, k, ts(now)); err != nil {
				return medconseil.Internal(err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM login_echec WHERE le < ?`, ts(now.Add(-keep))); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, &medconseil.Acteur{Login: login}, "connexion", "session", 0, m, ResultRefused)
	})
}
