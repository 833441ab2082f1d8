package jobs

import "context"

// Schedule runs one round of periodic enqueues, as Run does on each poll.
// Call it only while the queue is not running.
func Schedule(ctx context.Context, q *Queue) { q.schedule(ctx) }
