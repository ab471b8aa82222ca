package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"medconseil/internal/browsertest"
	"medconseil/internal/demo"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

// TestBrowserWorklistJourney: the praticien's day in Chromium — the worklist,
// a search by dossier number, the dossier, an avis typed (kept as a draft by the
// page's script), the session expiring before it is sent, a new login that comes
// back to the dossier with the text restored, the avis given, « dossier suivant ».
func TestBrowserWorklistJourney(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	if _, err := demo.SeedDossiers(context.Background(), db, 8, time.Now(), 7); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	ctx := session(t, browsertest.New(t))
	login(t, ctx, base, "praticien.67")
	do(t, ctx, "worklist", chromedp.Navigate(base+"/dossiers?ouverts=1"), chromedp.WaitVisible(css("table")))
	checkLabels(t, ctx, "worklist")
	links := js[[]string](t, ctx, dossierLinksJS)
	if len(links) < 2 {
		t.Fatalf("%d dossiers awaiting an avis, want at least 2", len(links))
	}
	if n := js[int](t, ctx, `document.querySelectorAll('th[aria-sort] a').length`); n != 1 {
		t.Errorf("%d sorted column headers, want 1", n)
	}
	var id string
	for _, l := range links {
		do(t, ctx, "open "+l, chromedp.Navigate(base+l), chromedp.WaitVisible(css("main h1")))
		if js[int](t, ctx, `document.querySelectorAll('form[action$="/avis"]').length`) > 0 {
			id = strings.TrimPrefix(l, "/dossiers/")
			break
		}
	}
	if id == "" {
		t.Fatal("no dossier the praticien may give an avis on")
	}
	do(t, ctx, "search by number", chromedp.Navigate(base+"/dossiers"), chromedp.WaitVisible(css("#q")),
		chromedp.SendKeys(css("#q"), id+"\r"))
	// The unfiltered list already has a table: wait for the search's own page.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if url, err := chromedp.Run(ctx, chromedp.Location()); err == nil && strings.Contains(url, "q="+id) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search for %s did not load its page", id)
		}
	}
	do(t, ctx, "search results", chromedp.WaitVisible(css("table")))
	if got := js[[]string](t, ctx, dossierLinksJS); len(got) != 1 || got[0] != "/dossiers/"+id {
		t.Fatalf("search %s lists %v", id, got)
	}
	const texte = "Reprise envisageable : brouillon tapé avant l'expiration de la session."
	do(t, ctx, "open from the search", chromedp.Click(css(`tbody a[href="/dossiers/`+id+`"]`)), chromedp.WaitVisible(css("#motif")),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alerte').forEach(e => e.remove())`),
		chromedp.SendKeys(css("#motif"), texte))
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(get(t, ctx, "draft status", chromedp.Text(css("#etat-brouillon"))), "Brouillon enregistré") {
		if time.Now().After(deadline) {
			t.Fatal("the draft was not saved by the page's script")
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The session expires while the avis is still on the screen.
	if err := db.Write(context.Background(), func(tx *sqldb.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE session SET expire_le = '2000-01-01T00:00:00.000000000Z', vu_le = '2000-01-01T00:00:00.000000000Z'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "send the avis after expiry", chromedp.Click(css("#sens-j")), chromedp.Submit(css("#motif")), chromedp.WaitVisible(css("#login")))
	do(t, ctx, "log in again", chromedp.SendKeys(css("#login"), "praticien.67"), chromedp.SendKeys(css("#password"), password+"\r"), chromedp.WaitVisible(css("#motif")))
	if url := get(t, ctx, "url", chromedp.Location()); !strings.Contains(url, "/dossiers/"+id) {
		t.Errorf("after the new login: %s, want the dossier %s", url, id)
	}
	if got := js[string](t, ctx, `document.getElementById('motif').value`); got != texte {
		t.Fatalf("draft after a new login: %q, want %q", got, texte)
	}
	if msg := get(t, ctx, "draft restored", chromedp.Text(css("main"))); !strings.Contains(msg, "restauré") {
		t.Error("the page does not say the draft was restored")
	}
	do(t, ctx, "give the avis", chromedp.Click(css("#sens-j")), chromedp.Submit(css("#motif")), chromedp.WaitVisible(css(".suite a")))
	do(t, ctx, "dossier suivant", chromedp.Click(css(".suite a")), chromedp.WaitVisible(css("main h1")))
	if h1 := get(t, ctx, "next", chromedp.Text(css("main h1"))); !strings.HasPrefix(h1, "Dossier n°") || strings.HasSuffix(h1, " "+id) {
		t.Errorf("dossier suivant: %q (after %s)", h1, id)
	}
	var drafts int
	_ = db.Read(context.Background(), func(tx *sqldb.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM brouillon_avis`).Scan(&drafts)
	})
	if drafts != 0 {
		t.Errorf("%d drafts left after the avis, want 0", drafts)
	}
}

// TestBrowserFormAfterSessionEnd: a note sent after the session ended leads to
// the login page, and the new login comes back to the dossier the note was
// written on — not to the note's POST-only address (« Page introuvable »).
func TestBrowserFormAfterSessionEnd(t *testing.T) {
	browsertest.Chromium(t)
	db := sqldbtest.SQLite(t)
	e := start(t, db)
	id := seedMatrixDossier(t, e)
	base := e.srv.URL
	ctx := session(t, browsertest.New(t))
	login(t, ctx, base, "praticien.67")
	dossier := "/dossiers/" + itoa(id)
	do(t, ctx, "dossier", chromedp.Navigate(base+dossier), chromedp.WaitVisible(css("#texte")),
		chromedp.SendKeys(css("#texte"), "Note tapée pendant que la session expire."))
	if err := db.Write(context.Background(), func(tx *sqldb.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE session SET expire_le = '2000-01-01T00:00:00.000000000Z', vu_le = '2000-01-01T00:00:00.000000000Z'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "send the note after expiry", chromedp.Submit(css("#texte")), chromedp.WaitVisible(css("#login")))
	do(t, ctx, "log in again", chromedp.SendKeys(css("#login"), "praticien.67"), chromedp.SendKeys(css("#password"), password+"\r"),
		chromedp.WaitNotPresent(css("#login")), chromedp.WaitVisible(css("main h1")))
	if url := get(t, ctx, "url", chromedp.Location()); !strings.HasSuffix(strings.SplitN(url, "?", 2)[0], dossier) {
		t.Errorf("after the new login: %s, want the dossier %s", url, dossier)
	}
	if h1 := get(t, ctx, "title", chromedp.Text(css("main h1"))); !strings.HasPrefix(h1, "Dossier n°") {
		t.Errorf("after the new login the page is %q, want the dossier", h1)
	}
}
