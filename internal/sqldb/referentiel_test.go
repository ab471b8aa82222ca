package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"medconseil/internal/reference"
	"medconseil/internal/sqldb"
	"medconseil/internal/sqldb/sqldbtest"
)

func refFile(t *testing.T, name, body string) *reference.File {
	t.Helper()
	src, ok := reference.SourceByName(name)
	if !ok {
		t.Fatalf("source %s", name)
	}
	f, err := reference.Parse(src, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const (
	cimV1 = "CIM_COD;CIM_LIB;ALD_030_COD;CAT_CIM_COD;VER_CPT_COD;VER_CPT_DTE;CAT_TUM_COD;TEC_COL\n" +
		"M545;Lombalgie basse;99;M54;V8.0;02JUL2017:00:00:00;;0\n" +
		"C510;Tumeur maligne de la grande lèvre;30;C51;V8.0;02JUL2017:00:00:00;99;0\n"
	cimV2 = cimV1 + "M544;Lumbago avec sciatique;99;M54;V8.0;02JUL2017:00:00:00;;0\n"
	aldV1 = "ALD_030_COD;ALD_030_LIB;ALD_DEC_DAT;TEC_COL\n30;Tumeur maligne;19 janvier 2011 (Decret no2011-77);0\n"
)

func TestReferentielImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return day }

		set, err := db.LoadReferentiels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if set.Index("cim10") != nil || len(set.MissingRef()) != len(reference.Names) {
			t.Fatalf("empty store: MissingRef = %v", set.MissingRef())
		}

		res, err := db.ImportReferentiels(ctx, []*reference.File{refFile(t, "IR_CIM_V", cimV1), refFile(t, "IR_ALD_V", aldV1)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 2 || res[0].Status != sqldb.ImportNew || res[0].Rows != 2 || res[1].Status != sqldb.ImportNew {
			t.Fatalf("first import = %+v", res)
		}
		v1 := res[0].ID

		// The same files again: nothing changes.
		res, err = db.ImportReferentiels(ctx, []*reference.File{refFile(t, "IR_CIM_V", cimV1), refFile(t, "IR_ALD_V", aldV1)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Status != sqldb.ImportUnchanged {
				t.Errorf("re-import %s = %s, want %s", r.Source, r.Status, sqldb.ImportUnchanged)
			}
		}
		if got := count(t, db, "referentiel_version"); got != 2 {
			t.Errorf("versions after re-import = %d, want 2", got)
		}

		// A newer file supersedes; the old version stays readable by id.
		day = day.AddDate(0, 1, 0)
		res, err = db.ImportReferentiels(ctx, []*reference.File{refFile(t, "IR_CIM_V", cimV2)})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Status != sqldb.ImportNew || res[0].ID == v1 || res[0].Rows != 3 {
			t.Fatalf("new version = %+v", res[0])
		}
		set, err = db.LoadReferentiels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if set.CIM10["M544"] == nil || set.Versions["IR_CIM_V"].ID != res[0].ID || !set.Versions["IR_CIM_V"].ImportedAt.Equal(day) {
			t.Errorf("current CIM-10 = %+v, want version %d", set.Versions["IR_CIM_V"], res[0].ID)
		}
		if hits := set.Index("cim10").Search("lombosciatique", 3); len(hits) == 0 || hits[0].Code != "M54.4" {
			t.Errorf("search after reload = %+v", hits)
		}
		old, v, err := db.ReferentielFile(ctx, v1)
		if err != nil {
			t.Fatal(err)
		}
		if v.Rows != 2 || len(old.Rows) != 2 || old.Rows[1].Fields[1] != "Tumeur maligne de la grande lèvre" || old.Rows[1].Line != 3 {
			t.Errorf("old version = %+v %+v", v, old.Rows)
		}
		versions, current, err := db.ReferentielVersions(ctx)
		if err != nil || len(versions) != 3 || current[v1] || !current[res[0].ID] {
			t.Errorf("versions = %+v current = %v, %v", versions, current, err)
		}

		// Re-importing the old file restores it.
		res, err = db.ImportReferentiels(ctx, []*reference.File{refFile(t, "IR_CIM_V", cimV1)})
		if err != nil || res[0].Status != sqldb.ImportRestored || res[0].ID != v1 {
			t.Errorf("restore = %+v, %v", res, err)
		}

		// A failing import writes nothing: the versions in force stay.
		stamp, _ := db.ReferentielsStamp(ctx)
		bad := refFile(t, "IR_CIM_V", cimV2+"M546;Rachialgies dorsales;99;M54;V8.0;02JUL2017:00:00:00;;0\n")
		bad.Rows[3].Line = bad.Rows[2].Line // duplicate key: the insert fails mid-file
		if _, err := db.ImportReferentiels(ctx, []*reference.File{refFile(t, "IR_ALD_V", aldV1+"8;Diabète;;0\n"), bad}); err == nil {
			t.Fatal("import with a failing file succeeded")
		}
		if after, _ := db.ReferentielsStamp(ctx); after != stamp {
			t.Errorf("stamp after failed import = %s, want %s", after, stamp)
		}
		if got := count(t, db, "referentiel_version"); got != 3 {
			t.Errorf("versions after failed import = %d, want 3", got)
		}
		if _, _, err := db.ReferentielFile(ctx, 999999); err == nil {
			t.Error("ReferentielFile(unknown) succeeded")
		}
	})
}
