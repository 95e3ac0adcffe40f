package tui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// rowState is where a check stands in the current run.
type rowState int

const (
	rowNotRun rowState = iota
	rowQueued
	rowRunning
	rowDone
)

// checkRow is one line of the live checks: the catalogue entry and its
// latest result, which a partial re-run keeps for the checks it skips.
type checkRow struct {
	check   checks.Check
	state   rowState
	message string
	result  *checks.Result
	// fresh is true when the result comes from the latest run.
	fresh bool
}

// checkRun is the state of the live checks across runs.
type checkRun struct {
	id      int
	cancel  context.CancelFunc
	running bool
	rows    []*checkRow
	err     error
	started time.Time
	took    time.Duration
	ran     bool
	// forSetup is the setup the latest run rehearsed.
	forSetup setup.Setup
	// partial is true while a run of some of the checks goes.
	partial bool
}

func newCheckRun() checkRun {
	var rows []*checkRow
	for _, c := range checks.Catalogue() {
		rows = append(rows, &checkRow{check: c})
	}
	return checkRun{rows: rows}
}

// never reports whether no run has finished yet.
func (r *checkRun) never() bool { return !r.ran }

// start begins run number id for the checks in only (all when empty),
// cancelling any run still going.
func (r *checkRun) start(parent context.Context, only []string, s setup.Setup) (int, context.Context) {
	if r.cancel != nil {
		r.cancel()
	}
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	r.id++
	r.running = true
	r.partial = len(only) > 0
	r.err = nil
	r.forSetup = s
	for _, row := range r.rows {
		if len(only) == 0 || slices.Contains(only, row.check.ID) {
			row.state = rowQueued
			row.message = ""
			row.fresh = false
		} else {
			row.fresh = false
		}
	}
	return r.id, ctx
}

func (r *checkRun) row(id string) *checkRow {
	for _, row := range r.rows {
		if row.check.ID == id {
			return row
		}
	}
	return nil
}

// apply records a progress event.
func (r *checkRun) apply(e checks.Event) {
	row := r.row(e.Check.ID)
	if row == nil {
		return
	}
	switch e.Kind {
	case checks.Started:
		row.state = rowRunning
		row.message = ""
	case checks.Progress:
		row.state = rowRunning
		row.message = e.Message
	case checks.Finished:
		row.state = rowDone
		row.message = ""
		if e.Result != nil {
			res := *e.Result
			row.result = &res
			row.fresh = true
		}
	}
}

// finish records the end of a run; results the events missed are taken
// from the report.
func (r *checkRun) finish(rep *checks.Report, err error) {
	r.running = false
	r.err = err
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	if rep != nil {
		r.took = rep.Duration
		for i := range rep.Results {
			res := rep.Results[i]
			if row := r.row(res.ID); row != nil {
				row.result = &res
				row.state = rowDone
				row.fresh = true
			}
		}
	}
	for _, row := range r.rows {
		if row.state == rowQueued || row.state == rowRunning {
			// Cancelled or never reported: show the old result, if any.
			row.state = rowDone
			if row.result == nil {
				row.state = rowNotRun
			}
		}
	}
	if err == nil {
		r.ran = true
	}
}

// report merges the latest result of every check into one report.
func (r *checkRun) report() *checks.Report {
	if !r.ran {
		return nil
	}
	rep := &checks.Report{Duration: r.took}
	for _, row := range r.rows {
		if row.result != nil {
			rep.Results = append(rep.Results, *row.result)
		}
	}
	return rep
}

// counts tallies the latest results.
func (r *checkRun) counts() checks.Counts {
	if rep := r.report(); rep != nil {
		return rep.Counts()
	}
	return checks.Counts{}
}

// failingFields lists the setup fields named by failing live checks'
// remediations. The static check (1) is left out: its errors are the
// validation's, which the stepper shows already, and its warnings (listed
// in a check that failed for another field) must not mark a step failed.
func (r *checkRun) failingFields() []string {
	var out []string
	for _, row := range r.rows {
		if row.result == nil || row.result.Status != checks.Fail || row.check.ID == checks.IDSetup {
			continue
		}
		for _, rem := range row.result.Remediations {
			if rem.Field != "" && !slices.Contains(out, rem.Field) {
				out = append(out, rem.Field)
			}
		}
	}
	return out
}

func joinIDs(ids []string) string { return strings.Join(ids, ", ") }

// numberWord is n as a capitalised word up to nine ("One"), digits after.
func numberWord(n int) string {
	words := []string{"No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}
