package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/auth"
	"medconseil/internal/authz"
)

// Utilisateur is an account as the administration screens see it.
type Utilisateur struct {
	medconseil.Acteur
	Actif  bool      `json:"actif"`
	CreeLe time.Time `json:"cree_le"`
}

// CreateUser creates an account with its habilitations; passwordHash comes from
// auth.HashPassword. by is the administrator (nil or without id from the command
// line). A habilitation that opens clinical data, asked by an administrator
// account, is not granted: it becomes a pending request that a médecin chef of the
// territory approves (DecideRequest). The command line, run by the operator of the
// server (who holds the database and its keys anyway), grants at once and is
// journaled as such: it is the way to create the first médecin chef.
func (db *DB) CreateUser(ctx context.Context, by *medconseil.Acteur, login, nom, passwordHash string, habs []medconseil.Habilitation, m Meta) (int64, error) {
	login = strings.TrimSpace(login)
	if err := validLogin(login); err != nil {
		return 0, err
	}
	nom = strings.TrimSpace(nom)
	if err := medconseil.CheckText("nom", nom, 200); err != nil {
		return 0, err
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
		var direct []medconseil.Habilitation
		for _, h := range habs {
			if fromAccount(by) && authz.SeesClinical(h) {
				if err := tx.request(ctx, by, id, NatureHabilitation, h, ""); err != nil {
					return err
				}
				continue
			}
			direct = append(direct, h)
		}
		if err := tx.setHabilitations(ctx, id, direct); err != nil {
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

// fromAccount reports whether by is an account of the application (an
// administrator on the web), as opposed to the operator's console (nil or no id).
func fromAccount(by *medconseil.Acteur) bool { return by != nil && by.ID != 0 }

// SetPassword replaces the password hash of an account and ends its sessions and
// API tokens. When an administrator resets the password of an account holding a
// habilitation that opens clinical data, the new password would let the
// administrator in: the reset becomes a request that a médecin chef of that
// territory approves by choosing the new password himself (DecideRequest); the
// administrator's is discarded, pending is true, and the old password stays valid
// until then.
func (db *DB) SetPassword(ctx context.Context, by *medconseil.Acteur, login, passwordHash string, m Meta) (pending bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		var uid int64
		err := tx.QueryRow(ctx, `SELECT id FROM utilisateur WHERE login = ?`, login).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			return medconseil.NotFound("Compte " + login)
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		if fromAccount(by) && by.ID != uid {
			habs, err := tx.habilitations(ctx, uid)
			if err != nil {
				return err
			}
			for _, h := range habs {
				if authz.SeesClinical(h) {
					pending = true
					// One pending reset per account: a new one replaces the old.
					if _, err := tx.Exec(ctx, `UPDATE habilitation_demande SET statut = 'remplacee', decide_par = ?, decide_le = ? WHERE utilisateur_id = ? AND nature = ? AND statut = 'en_attente'`,
						by.Login, ts(db.Now()), uid, NatureMotDePasse); err != nil {
						return medconseil.Internal(err)
					}
					if err := tx.request(ctx, by, uid, NatureMotDePasse, h, ""); err != nil {
						return err
					}
					return tx.journal(ctx, by, "compte.mot_de_passe.demande", "utilisateur:"+login, 0, m, ResultOK)
				}
			}
		}
		return tx.setPassword(ctx, by, uid, login, passwordHash, m)
	})
	return pending, err
}

// setPassword replaces a hash and ends every session and API token of the account.
func (t *Tx) setPassword(ctx context.Context, by *medconseil.Acteur, uid int64, login, passwordHash string, m Meta) error {
	if _, err := t.Exec(ctx, `UPDATE utilisateur SET password_hash = ? WHERE id = ?`, passwordHash, uid); err != nil {
		return medconseil.Internal(err)
	}
	if _, err := t.Exec(ctx, `DELETE FROM session WHERE utilisateur_id = ?`, uid); err != nil {
		return medconseil.Internal(err)
	}
	if _, err := t.Exec(ctx, `UPDATE api_token SET revoque_le = ? WHERE revoque_le IS NULL AND utilisateur_id = ?`, ts(t.now()), uid); err != nil {
		return medconseil.Internal(err)
	}
	return t.journal(ctx, by, "compte.mot_de_passe", "utilisateur:"+login, 0, m, ResultOK)
}

// SetActive enables or disables an account; disabling ends its sessions and tokens.
// Nobody disables their own account, nor the last active administrator (the
// accounts would then have no administrator left).
func (db *DB) SetActive(ctx context.Context, by *medconseil.Acteur, login string, actif bool, m Meta) error {
	return db.Write(ctx, func(tx *Tx) error {
		v := 0
		if actif {
			v = 1
		}
		if !actif {
			var uid int64
			err := tx.QueryRow(ctx, `SELECT id FROM utilisateur WHERE login = ?`, login).Scan(&uid)
			if errors.Is(err, sql.ErrNoRows) {
				return medconseil.NotFound("Compte " + login)
			}
			if err != nil {
				return medconseil.Internal(err)
			}
			if by != nil && by.ID == uid {
				if err := tx.journal(ctx, by, "compte.desactivation", "utilisateur:"+login, 0, m, ResultRefused); err != nil {
					return err
				}
				return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "vous ne pouvez pas désactiver votre propre compte"}
			}
			// Lock the active administrators (PostgreSQL), so two administrators
			// disabling each other at once cannot both pass the count.
			lock := ""
			if tx.db.dialect == Postgres {
				lock = " FOR UPDATE OF u"
			}
			rows, err := tx.Query(ctx, `SELECT u.id FROM utilisateur u JOIN habilitation h ON h.utilisateur_id = u.id WHERE h.role = ? AND u.actif = 1`+lock, string(medconseil.RoleAdmin))
			if err != nil {
				return medconseil.Internal(err)
			}
			admins, target := 0, false
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return medconseil.Internal(err)
				}
				admins++
				target = target || id == uid
			}
			rows.Close()
			if target && admins <= 1 {
				if err := tx.journal(ctx, by, "compte.desactivation", "utilisateur:"+login, 0, m, ResultRefused); err != nil {
					return err
				}
				return &medconseil.Error{Code: medconseil.EFORBIDDEN, Message: "le dernier administrateur actif ne peut pas être désactivé"}
			}
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
	if a.Habilitations, err = t.habilitations(ctx, id); err != nil {
		return nil, err
	}
	return a, nil
}

// habilitations reads the habilitations of an account.
func (t *Tx) habilitations(ctx context.Context, id int64) ([]medconseil.Habilitation, error) {
	rows, err := t.Query(ctx, `SELECT role, niveau, code FROM habilitation WHERE utilisateur_id = ? ORDER BY role, niveau, code`, id)
	if err != nil {
		return nil, medconseil.Internal(err)
	}
	defer rows.Close()
	var out []medconseil.Habilitation
	for rows.Next() {
		var h medconseil.Habilitation
		var role, niveau string
		if err := rows.Scan(&role, &niveau, &h.Territoire.Code); err != nil {
			return nil, medconseil.Internal(err)
		}
		h.Role, h.Territoire.Niveau = medconseil.Role(role), medconseil.Niveau(niveau)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, medconseil.Internal(err)
	}
	return out, nil
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

// LegacyTokenTTL is the lifetime of a token made before tokens carried their
// expiry (its creation plus 90 days, the default lifetime).
const LegacyTokenTTL = 90 * 24 * time.Hour

// CreateToken stores an API token digest for a user, valid for ttl, and journals it.
func (db *DB) CreateToken(ctx context.Context, userID int64, digest, libelle string, ttl time.Duration, m Meta) (int64, error) {
	if ttl <= 0 {
		return 0, medconseil.FieldErrorf("duree", "durée de validité du jeton nulle ou négative")
	}
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		a, err := tx.acteur(ctx, userID)
		if err != nil {
			return err
		}
		now := db.Now()
		if err := tx.QueryRow(ctx, `INSERT INTO api_token (utilisateur_id, hash, libelle, cree_le, expire_le) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			userID, digest, libelle, ts(now), ts(now.Add(ttl))).Scan(&id); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, a, "jeton.creation", fmt.Sprintf("jeton:%d", id), 0, m, ResultOK)
	})
	return id, err
}

// TokenActeur returns the acteur owning a live API token: neither revoked nor expired.
func (db *DB) TokenActeur(ctx context.Context, digest string) (*medconseil.Acteur, error) {
	// The token and its account are read in one transaction (every API request
	// goes through here).
	var a *medconseil.Acteur
	err := db.Read(ctx, func(tx *Tx) error {
		var uid int64
		var cree string
		var expire, login, nom sql.NullString
		var actif sql.NullInt64
		// The token and its account in one statement (the account's checks are
		// those of acteur, made after the token's, in the same order).
		err := tx.QueryRow(ctx, `SELECT t.utilisateur_id, t.cree_le, t.expire_le, u.login, u.nom, u.actif
			FROM api_token t LEFT JOIN utilisateur u ON u.id = t.utilisateur_id
			WHERE t.hash = ? AND t.revoque_le IS NULL`, digest).Scan(&uid, &cree, &expire, &login, &nom, &actif)
		if errors.Is(err, sql.ErrNoRows) {
			return &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Message: "jeton d'API inconnu ou révoqué"}
		}
		if err != nil {
			return medconseil.Internal(err)
		}
		var end time.Time
		if expire.Valid {
			end, err = parseTS(expire.String)
		} else {
			end, err = parseTS(cree)
			end = end.Add(LegacyTokenTTL)
		}
		if err != nil || !db.Now().Before(end) {
			return &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Message: "jeton d'API expiré : demandez-en un nouveau (POST /api/v1/tokens)"}
		}
		if !login.Valid || actif.Int64 != 1 {
			return &medconseil.Error{Code: medconseil.EUNAUTHENTICATED, Message: "compte inconnu ou désactivé"}
		}
		acteur := &medconseil.Acteur{ID: uid, Login: login.String, Nom: nom.String}
		if acteur.Habilitations, err = tx.habilitations(ctx, uid); err != nil {
			return err
		}
		a = acteur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
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

// ThrottleKey is a key of login throttling ("login:<login>", "adresse:<ip>") with
// its progressive delay.
type ThrottleKey struct {
	Key    string
	Policy auth.Throttle
}

// ReserveLogin counts one more login attempt under each key before the password is
// checked, atomically: the count and the time before which the next attempt is
// refused are updated in the write transaction, so parallel attempts are counted
// one by one and only those the delays allow reach the password check. It returns
// how long the caller must wait when an attempt is refused (the refusal is journaled);
// a successful login then calls LoginSucceeded.
func (db *DB) ReserveLogin(ctx context.Context, login string, keys []ThrottleKey, m Meta) (wait time.Duration, err error) {
	now := db.Now()
	err = db.Write(ctx, func(tx *Tx) error {
		type state struct {
			echecs int
			until  time.Time
		}
		states := make([]state, len(keys))
		for i, k := range keys {
			if _, err := tx.Exec(ctx, `INSERT INTO login_delai (cle, echecs, bloque_jusqu, maj_le) VALUES (?, 0, ?, ?) ON CONFLICT (cle) DO NOTHING`, k.Key, ts(now), ts(now)); err != nil {
				return medconseil.Internal(err)
			}
			lock := ""
			if tx.db.dialect == Postgres {
				lock = " FOR UPDATE"
			}
			var until, maj string
			if err := tx.QueryRow(ctx, `SELECT echecs, bloque_jusqu, maj_le FROM login_delai WHERE cle = ?`+lock, k.Key).Scan(&states[i].echecs, &until, &maj); err != nil {
				return medconseil.Internal(err)
			}
			states[i].until, _ = parseTS(until)
			if t, _ := parseTS(maj); k.Policy.Forget > 0 && now.Sub(t) > k.Policy.Forget {
				states[i].echecs = 0
			}
			if d := states[i].until.Sub(now); d > wait {
				wait = d
			}
		}
		if wait > 0 {
			return tx.journal(ctx, &medconseil.Acteur{Login: login}, "connexion.retardee", "session", 0, m, ResultRefused)
		}
		for i, k := range keys {
			n := states[i].echecs + 1
			if _, err := tx.Exec(ctx, `UPDATE login_delai SET echecs = ?, bloque_jusqu = ?, maj_le = ? WHERE cle = ?`,
				n, ts(now.Add(k.Policy.Delay(n))), ts(now), k.Key); err != nil {
				return medconseil.Internal(err)
			}
		}
		return nil
	})
	return wait, err
}

// LoginSucceeded forgets the failures of an account after a good password, and
// gives back to the address the attempt reserved for it, with the delay that
// reservation started (a good password does not slow its site down; each account
// keeps its own delays).
func (db *DB) LoginSucceeded(ctx context.Context, accountKey, addressKey string) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM login_delai WHERE cle = ?`, accountKey); err != nil {
			return medconseil.Internal(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE login_delai SET echecs = echecs - 1, bloque_jusqu = maj_le WHERE cle = ? AND echecs > 0`, addressKey); err != nil {
			return medconseil.Internal(err)
		}
		return nil
	})
}

// Unlock lifts the login delay of an account (an administrator, after checking the
// holder's identity) and journals it.
func (db *DB) Unlock(ctx context.Context, by *medconseil.Acteur, login string, m Meta) error {
	return db.Write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM utilisateur WHERE login = ?`, login).Scan(&n); err != nil {
			return medconseil.Internal(err)
		}
		if n == 0 {
			return medconseil.NotFound("Compte " + login)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM login_delai WHERE cle = ?`, "login:"+login); err != nil {
			return medconseil.Internal(err)
		}
		return tx.journal(ctx, by, "compte.deverrouillage", "utilisateur:"+login, 0, m, ResultOK)
	})
}

// LoginDelays returns, per login, the time before which its next attempt is
// refused, for the accounts currently delayed.
func (db *DB) LoginDelays(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	now := db.Now()
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT cle, bloque_jusqu FROM login_delai WHERE cle LIKE 'login:%' AND bloque_jusqu > ?`, ts(now))
		if err != nil {
			return medconseil.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k, u string
			if err := rows.Scan(&k, &u); err != nil {
				return medconseil.Internal(err)
			}
			out[strings.TrimPrefix(k, "login:")], _ = parseTS(u)
		}
		return rows.Err()
	})
	return out, err
}
