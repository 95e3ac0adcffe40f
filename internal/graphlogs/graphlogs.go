// Package graphlogs reads Entra's sign-in and provisioning logs over
// Microsoft Graph (auditLogs/signIns and auditLogs/provisioning) with the
// client-credentials grant, from the mock Entra ID of `ssowiz serve` or
// from a real tenant: the same requests work on both.
package graphlogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
)

// ErrAuth means the token endpoint refused the client's credentials; the
// error carries Entra's AADSTS message.
var ErrAuth = errors.New("the token endpoint refused the credentials")

// ErrGraph means Graph answered a request with an error.
var ErrGraph = errors.New("Microsoft Graph refused the request")

// Client reads the logs.
type Client struct {
	// TokenURL is the tenant's v2.0 token endpoint.
	TokenURL string
	// GraphURL is the Graph v1.0 base URL.
	GraphURL string
	// ClientID and ClientSecret are an app registration's with
	// AuditLog.Read.All.
	ClientID, ClientSecret string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Entry is one log entry: Graph's object, its time, and the feed's
// sentence for it.
type Entry struct {
	// Log is "signIns" or "provisioning".
	Log string
	// ID is the entry's Graph id.
	ID string
	// Time is createdDateTime or activityDateTime.
	Time time.Time
	// Object is the entry as Graph returned it.
	Object json.RawMessage
	// Sentence says what happened in one line.
	Sentence string
}

// Fetch reads both logs' entries after since (everything when zero),
// oldest first, following @odata.nextLink.
func (c *Client) Fetch(ctx context.Context, since time.Time) ([]Entry, error) {
	var out []Entry
	for _, log := range []struct{ name, timeField string }{{"signIns", "createdDateTime"}, {"provisioning", "activityDateTime"}} {
		u := c.GraphURL + "/auditLogs/" + log.name
		if !since.IsZero() {
			u += "?$filter=" + url.QueryEscape(log.timeField+" gt "+since.UTC().Format("2006-01-02T15:04:05.0000000Z"))
		}
		for u != "" {
			var page struct {
				Value    []json.RawMessage `json:"value"`
				NextLink string            `json:"@odata.nextLink"`
			}
			if err := c.get(ctx, u, &page); err != nil {
				return nil, err
			}
			for _, raw := range page.Value {
				e, err := entry(log.name, raw)
				if err != nil {
					return nil, err
				}
				out = append(out, e)
			}
			u = page.NextLink
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// Follow calls fn with every entry, then with each new one as it appears,
// polling every interval until ctx ends.
func (c *Client) Follow(ctx context.Context, interval time.Duration, fn func(Entry) error) error {
	var since time.Time
	seen := map[string]bool{}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		entries, err := c.Fetch(ctx, since)
		if ctx.Err() != nil {
			// Interrupted: the normal end of following.
			return nil
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			if seen[e.ID] {
				continue
			}
			seen[e.ID] = true
			if e.Time.After(since) {
				since = e.Time
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// entry reads the fields the sentence needs from Graph's object.
func entry(log string, raw json.RawMessage) (Entry, error) {
	e := Entry{Log: log, Object: raw}
	if log == "signIns" {
		var s struct {
			ID                string    `json:"id"`
			CreatedDateTime   time.Time `json:"createdDateTime"`
			UserDisplayName   string    `json:"userDisplayName"`
			UserPrincipalName string    `json:"userPrincipalName"`
			AppDisplayName    string    `json:"appDisplayName"`
			Status            struct {
				ErrorCode     int    `json:"errorCode"`
				FailureReason string `json:"failureReason"`
			} `json:"status"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return Entry{}, fmt.Errorf("read a sign-in: %w", err)
		}
		e.ID, e.Time = s.ID, s.CreatedDateTime
		e.Sentence = auditlog.Event{SignIn: &auditlog.SignIn{UserDisplayName: s.UserDisplayName, UserPrincipalName: s.UserPrincipalName,
			AppDisplayName: s.AppDisplayName, ErrorCode: s.Status.ErrorCode, FailureReason: s.Status.FailureReason}}.String()
		return e, nil
	}
	var p struct {
		ID                 string    `json:"id"`
		ActivityDateTime   time.Time `json:"activityDateTime"`
		ProvisioningAction string    `json:"provisioningAction"`
		ServicePrincipal   struct {
			DisplayName string `json:"displayName"`
		} `json:"servicePrincipal"`
		SourceIdentity struct {
			DisplayName string `json:"displayName"`
		} `json:"sourceIdentity"`
		Status struct {
			Status    string `json:"status"`
			ErrorInfo *struct {
				Reason string `json:"reason"`
			} `json:"errorInformation"`
		} `json:"provisioningStatusInfo"`
		Steps []struct {
			Type    string            `json:"provisioningStepType"`
			Details map[string]string `json:"details"`
		} `json:"provisioningSteps"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return Entry{}, fmt.Errorf("read a provisioning entry: %w", err)
	}
	e.ID, e.Time = p.ID, p.ActivityDateTime
	ev := &auditlog.Provisioning{AppDisplayName: p.ServicePrincipal.DisplayName, SourceName: p.SourceIdentity.DisplayName,
		Action: title(p.ProvisioningAction), Status: title(p.Status.Status)}
	if p.Status.ErrorInfo != nil {
		ev.Reason = p.Status.ErrorInfo.Reason
	}
	for _, st := range p.Steps {
		if st.Details["Method"] == "" {
			continue
		}
		var status int
		fmt.Sscan(st.Details["StatusCode"], &status)
		ev.Requests = append(ev.Requests, auditlog.Request{Method: st.Details["Method"], Path: st.Details["Path"], Status: status, Detail: st.Details["Detail"]})
	}
	e.Sentence = auditlog.Event{Provisioning: ev}.String()
	return e, nil
}

func title(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// get sends an authenticated GET and decodes the answer.
func (c *Client) get(ctx context.Context, u string, v any) error {
	tok, err := c.accessToken(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		json.Unmarshal(body, &e)
		return fmt.Errorf("%w: GET %s: %s %s: %s", ErrGraph, u, resp.Status, e.Error.Code, e.Error.Message)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: the answer is not Graph's JSON: %w", u, err)
	}
	return nil
}

// accessToken returns a cached token, or gets a new one a minute before
// the old one expires.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && time.Now().Before(c.expires) {
		return c.token, nil
	}
	form := url.Values{"client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
		"scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token endpoint %s: %w", c.TokenURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return "", fmt.Errorf("token endpoint %s: %w", c.TokenURL, err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tok); err != nil {
		return "", fmt.Errorf("token endpoint %s answered %s, not a token: %w", c.TokenURL, resp.Status, err)
	}
	if tok.AccessToken == "" {
		msg, _, _ := strings.Cut(tok.Description, "\r\n")
		return "", fmt.Errorf("%w: %s (%s)", ErrAuth, msg, tok.Error)
	}
	c.token, c.expires = tok.AccessToken, time.Now().Add(time.Duration(tok.ExpiresIn)*time.Second-time.Minute)
	return c.token, nil
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}
