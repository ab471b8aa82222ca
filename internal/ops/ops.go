// Package ops holds what the operator watches at run time and that other parts
// report to: the scheduler's runs (lag, failures) and the audit journal's
// checkpoints. The web server exposes it as Prometheus metrics and on the health
// page; the lifecycle scheduler and the journal's checkpointer feed it through the
// methods below (they define their own one-method interfaces if they want one).
// It also holds the log handler that masks NIRs.
package ops

import (
	"sync"
	"time"
)

// Status is safe for concurrent use. The zero value is ready.
type Status struct {
	mu         sync.Mutex
	sched      Scheduler
	checkpoint Checkpoint
}

// Scheduler is what the lifecycle scheduler reported.
type Scheduler struct {
	Runs      uint64        // passes made
	Failures  uint64        // passes or jobs that failed
	Fired     uint64        // deadlines fired
	LastRun   time.Time     // end of the last pass (zero: never)
	Lag       time.Duration // at the last pass, how late the most overdue deadline it fired was
	LastError string        // message of the last failure, "" if none since
}

// Checkpoint is what the journal's checkpointer reported.
type Checkpoint struct {
	At        time.Time // last signed checkpoint written (zero: none reported)
	Seq       int64     // journal entry it covers
	Failures  uint64
	LastError string
}

// SchedulerRun records one pass of the scheduler: when it ended, the lag of the most
// overdue deadline it fired (0 if none was late), how many it fired, and its error.
func (s *Status) SchedulerRun(at time.Time, lag time.Duration, fired int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sched.Runs++
	s.sched.LastRun = at
	s.sched.Lag = lag
	s.sched.Fired += uint64(max(fired, 0))
	if err != nil {
		s.sched.Failures++
		s.sched.LastError = err.Error()
	}
}

// SchedulerFailure records a failed job outside a pass's own error.
func (s *Status) SchedulerFailure(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sched.Failures++
	if err != nil {
		s.sched.LastError = err.Error()
	}
}

// CheckpointWritten records a journal checkpoint covering entries up to seq, or the
// failure to write one.
func (s *Status) CheckpointWritten(at time.Time, seq int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.checkpoint.Failures++
		s.checkpoint.LastError = err.Error()
		return
	}
	s.checkpoint.At, s.checkpoint.Seq, s.checkpoint.LastError = at, seq, ""
}

// Scheduler returns the scheduler's figures.
func (s *Status) Scheduler() Scheduler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sched
}

// Checkpoint returns the checkpointer's figures.
func (s *Status) Checkpoint() Checkpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkpoint
}
