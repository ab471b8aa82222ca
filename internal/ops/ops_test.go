package ops

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/rules"
)

func TestRedactNIR(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(RedactNIR(slog.NewJSONHandler(&buf, nil))).With("assure", "185056748212337")
	log.Error("refus pour 2 85 05 67 482 123 84", "err", errors.New(`duplicate key (nir)=(185056748212337)`), "corse", "185052A00412345",
		slog.Group("g", "x", "285056748212384"), "id", 1234567, "date", "2026-11-02")
	out := buf.String()
	for _, leak := range []string{"185056748212337", "185052A00412345", "2 85 05 67 482 123 84", "285056748212384"} {
		if strings.Contains(out, leak) {
			t.Errorf("log carries %q: %s", leak, out)
		}
	}
	if strings.Count(out, Masked) != 5 {
		t.Errorf("want 5 masks: %s", out)
	}
	if !strings.Contains(out, `"id":1234567`) || !strings.Contains(out, "2026-11-02") {
		t.Errorf("non-NIR values were altered: %s", out)
	}
}

func TestStatus(t *testing.T) {
	var s Status
	now := time.Now()
	s.SchedulerRun(now, 3*time.Second, 5, nil)
	s.SchedulerRun(now.Add(time.Minute), 0, 0, errors.New("échec"))
	got := s.Scheduler()
	if got.Runs != 2 || got.Failures != 1 || got.Fired != 5 || got.LastError != "échec" || !got.LastRun.Equal(now.Add(time.Minute)) {
		t.Errorf("Scheduler() = %+v", got)
	}
	s.CheckpointWritten(now, 42, nil)
	s.CheckpointWritten(now.Add(time.Hour), 0, errors.New("disque plein"))
	c := s.Checkpoint()
	if !c.At.Equal(now) || c.Seq != 42 || c.Failures != 1 || c.LastError != "disque plein" {
		t.Errorf("Checkpoint() = %+v", c)
	}
}

func TestRetentionPolicyFromParameters(t *testing.T) {
	set, err := rules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	pol, vals, err := RetentionPolicy(set, now)
	if err != nil {
		t.Fatal(err)
	}
	if !pol.Avant.Equal(time.Date(2006, 12, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("Avant = %v, want 20 years before", pol.Avant)
	}
	if len(pol.TypesExclus) != 1 || pol.TypesExclus[0] != medconseil.TypeATMP {
		t.Errorf("TypesExclus = %v, want AT/MP", pol.TypesExclus)
	}
	for _, v := range vals {
		if !v.Verify || len(v.References) == 0 {
			t.Errorf("%s: verify %v, %d references; REGULATIONS.md §17 marks retention « verify »", v.Name, v.Verify, len(v.References))
		}
	}
}
