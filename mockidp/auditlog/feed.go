package auditlog

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Provisioning is one provisioning action as the feed carries it.
type Provisioning struct {
	// AppDisplayName is the app provisioned to.
	AppDisplayName string
	// Action is Entra's name of what was done: Create, Update, Disable,
	// Delete, Skip or Other.
	Action string
	// Status is Success, Failure or Skipped.
	Status string
	// SourceName is the user's UPN or the group's name.
	SourceName string
	// Reason says what happened, or why it failed.
	Reason string
	// Requests are the SCIM requests made, as "METHOD path", with the
	// status answered (0 when none came back) and the error detail.
	Requests []Request
}

// Request is one SCIM request of a provisioning action.
type Request struct {
	Method, Path string
	Status       int
	Detail       string
}

// Event is one entry of the live feed: a sign-in or a provisioning action.
type Event struct {
	// Time is when it happened.
	Time time.Time
	// SignIn is set for a sign-in attempt.
	SignIn *SignIn
	// Provisioning is set for a provisioning action.
	Provisioning *Provisioning
}

// String is the event as one readable sentence, as `serve` prints it.
// It never holds a secret: no token, password or SAML message.
func (e Event) String() string {
	switch {
	case e.SignIn != nil:
		s := e.SignIn
		who := s.UserDisplayName
		if who == "" {
			who = s.UserPrincipalName
		}
		if who == "" {
			who = "Someone"
		}
		app := s.AppDisplayName
		if app == "" {
			app = "an unknown app"
		}
		if s.Succeeded() {
			return fmt.Sprintf("%s signed in to %s", who, app)
		}
		return fmt.Sprintf("Entra refused %s's sign-in to %s: AADSTS%d %s", who, app, s.ErrorCode, firstSentence(s.FailureReason))
	case e.Provisioning != nil:
		return e.Provisioning.sentence()
	}
	return ""
}

func (p *Provisioning) sentence() string {
	last := Request{}
	if len(p.Requests) > 0 {
		last = p.Requests[len(p.Requests)-1]
	}
	verb := map[string]string{"Create": "created", "Update": "updated", "Disable": "disabled", "Delete": "deleted"}[p.Action]
	switch {
	case p.Status == "Success" && verb != "":
		return fmt.Sprintf("Entra %s %s in %s over SCIM (%d)", verb, p.SourceName, p.AppDisplayName, last.Status)
	case p.Status == "Failure" && last.Status != 0:
		detail := firstSentence(last.Detail)
		if detail != "" {
			detail = " " + detail
		}
		return fmt.Sprintf("%s refused the %s for %s: %d%s", p.AppDisplayName, last.Method, p.SourceName, last.Status, detail)
	case p.Status == "Failure":
		return fmt.Sprintf("Entra could not provision %s to %s: %s", p.SourceName, p.AppDisplayName, firstSentence(p.Reason))
	case p.Status == "Skipped" && p.Reason != "":
		return fmt.Sprintf("Entra skipped %s for %s: %s", p.SourceName, p.AppDisplayName, firstSentence(p.Reason))
	case p.Status == "Skipped":
		return fmt.Sprintf("Entra skipped %s for %s", p.SourceName, p.AppDisplayName)
	case p.Reason != "":
		return fmt.Sprintf("Entra matched %s in %s (%s)", p.SourceName, p.AppDisplayName, firstSentence(p.Reason))
	}
	return fmt.Sprintf("Entra matched %s in %s", p.SourceName, p.AppDisplayName)
}

// firstSentence keeps a message to one line of reasonable length.
func firstSentence(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i+1]
	}
	if r := []rune(s); len(r) > 160 {
		s = string(r[:159]) + "…"
	}
	return s
}

// feed fans events out to subscribers. A subscriber that falls behind
// loses events rather than slowing a sign-in down.
type feed struct {
	mu     sync.Mutex
	subs   map[chan Event]struct{}
	closed bool
}

// Subscribe returns a channel of the events from now on and a function
// that ends the subscription. The channel is closed when the log closes.
func (l *Log) Subscribe() (<-chan Event, func()) {
	f := &l.feed
	ch := make(chan Event, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(ch)
		return ch, func() {}
	}
	if f.subs == nil {
		f.subs = map[chan Event]struct{}{}
	}
	f.subs[ch] = struct{}{}
	return ch, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.subs[ch]; ok {
			delete(f.subs, ch)
			close(ch)
		}
	}
}

// Publish passes a provisioning action (or any event) to the feed.
func (l *Log) Publish(e Event) {
	if e.Time.IsZero() {
		e.Time = l.now().UTC()
	}
	l.feed.publish(e)
}

func (f *feed) publish(e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for ch := range f.subs {
		close(ch)
	}
	f.subs = nil
}
