package cases

import (
	"slices"

	"harambee.africa/harambee/internal/cert"
)

// Statuses are the statuses of a case in workflow order.
var Statuses = []string{cert.StatusNew, cert.StatusTriage, cert.StatusInProgress, cert.StatusHandedOver, cert.StatusResolved,
	cert.StatusClosed}

// moves are the status changes an editor makes by hand. handed_over is
// entered and left only by hand-overs (sending one; its acceptance,
// decline or withdrawal), never by hand; closed is final; a resolved case
// is reopened by moving it back to in_progress.
var moves = map[string][]string{
	cert.StatusNew:        {cert.StatusTriage, cert.StatusInProgress, cert.StatusClosed},
	cert.StatusTriage:     {cert.StatusInProgress, cert.StatusResolved, cert.StatusClosed},
	cert.StatusInProgress: {cert.StatusResolved, cert.StatusClosed},
	cert.StatusResolved:   {cert.StatusInProgress, cert.StatusClosed},
}

// NextStatuses are the statuses an editor may move a case in status to.
func NextStatuses(status string) []string { return moves[status] }

// mayMove reports whether an editor may move a case from one status to another by hand.
func mayMove(from, to string) bool { return slices.Contains(moves[from], to) }

// running reports whether the SLA clock runs in a status: it stops while
// the case waits for another team (handed_over) and once it is resolved or
// closed; reopening a resolved case starts it again.
func running(status string) bool {
	return status == cert.StatusNew || status == cert.StatusTriage || status == cert.StatusInProgress
}

// open reports whether a case is still being worked on (for the filters
// and the hand-over rules).
func open(status string) bool { return status != cert.StatusResolved && status != cert.StatusClosed }
