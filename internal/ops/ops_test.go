package ops

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
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
