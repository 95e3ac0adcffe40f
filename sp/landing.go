package sp

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/cognito"
)

// SignInRecord is what the app received and did at a member's last
// SAML sign-in, for the landing page and /api/me: the claims as Entra sent
// them, how the pool mapped them, and what became of the account.
type SignInRecord struct {
	At time.Time `json:"at"`
	// NameID and NameIDFormat are the assertion's subject.
	NameID       string `json:"name_id"`
	NameIDFormat string `json:"name_id_format,omitempty"`
	// Claims are the attributes received, each with what it was used for.
	Claims []ClaimUse `json:"claims"`
	// Created is true when the sign-in created the account just in time.
	Created bool `json:"created"`
}

// ClaimUse is one received claim and where it went.
type ClaimUse struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// PoolAttribute is the user-pool attribute the mapping fills from it
	// (email, family_name…); empty when the app does not use it.
	PoolAttribute string `json:"pool_attribute,omitempty"`
	// Field is the member's profile field it sets, as the page labels it.
	Field string `json:"field,omitempty"`
}

// fieldLabels names the profile field each pool attribute fills.
var fieldLabels = map[string]string{
	"email": "Email", "family_name": "Last name", "given_name": "First name", "name": "Name",
}

// signInLog keeps each member's last sign-in record in memory: it is
// shown, not relied on, so a restart losing it only shortens the page.
type signInLog struct {
	mu   sync.Mutex
	last map[string]SignInRecord // org ID + "/" + user ID
}

func (l *signInLog) put(orgID, userID string, r SignInRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]SignInRecord{}
	}
	l.last[orgID+"/"+userID] = r
}

func (l *signInLog) get(orgID, userID string) (SignInRecord, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.last[orgID+"/"+userID]
	return r, ok
}

// signInRecord describes a sign-in the callback just completed.
func signInRecord(id cognito.Identity, created bool) SignInRecord {
	byClaim := map[string]string{}
	for attr, claim := range id.Mapping {
		byClaim[claim] = attr
	}
	r := SignInRecord{At: id.AuthTime.UTC(), NameID: id.NameID, NameIDFormat: id.NameIDFormat, Created: created}
	for _, c := range id.Claims {
		u := ClaimUse{Name: c.Name, Value: c.Value, PoolAttribute: byClaim[c.Name]}
		u.Field = fieldLabels[u.PoolAttribute]
		r.Claims = append(r.Claims, u)
	}
	// Used claims first, then the rest in the order received.
	sort.SliceStable(r.Claims, func(i, j int) bool { return r.Claims[i].PoolAttribute != "" && r.Claims[j].PoolAttribute == "" })
	return r
}

// landingView is the "what RudderStack received and did" part of the
// home page, in sentences and rows.
type landingView struct {
	Received bool
	NameID   string
	// NameIDFormat is the format's last part (emailAddress…).
	NameIDFormat string
	Claims       []ClaimUse
	// Did says what the sign-in did to the account.
	Did string
	// Provisioning says the account's SCIM state.
	Provisioning string
	// SCIMManaged is true when Entra's provisioning writes the account.
	SCIMManaged bool
}

// landing builds the view from the last sign-in record and the account.
func landing(rec SignInRecord, ok bool, u accounts.User, cognitoUsername string) landingView {
	v := landingView{Received: ok, NameID: rec.NameID, Claims: rec.Claims}
	if f := rec.NameIDFormat; f != "" {
		v.NameIDFormat = f[strings.LastIndex(f, ":")+1:]
	}
	switch {
	case !ok:
		v.Did = "Signed in earlier (the details of that sign-in were not kept: the app restarted since)."
	case rec.Created:
		v.Did = "Created this account just in time (JIT) as a " + u.Role.Label() + ", from the claims below; its username is the NameID, and Cognito's user is " + cognitoUsername + "."
	default:
		how := map[accounts.Source]string{
			accounts.SourceJIT: "by an earlier JIT sign-in", accounts.SourceSCIM: "by Entra's SCIM provisioning",
			accounts.SourceInvite: "by an invitation",
		}[u.Source]
		if how == "" {
			how = "earlier"
		}
		v.Did = "Updated the existing account (created " + how + " on " + u.CreatedAt.UTC().Format("2006-01-02 15:04 MST") +
			"), matched on the NameID; Cognito sets the mapped attributes from the claims at every sign-in."
	}
	v.SCIMManaged = u.Source == accounts.SourceSCIM || len(u.SCIM) > 0
	switch {
	case v.SCIMManaged:
		v.Provisioning = "Provisioned by Entra over SCIM: externalId " + orDash(u.ExternalID) + ", last written " +
			u.UpdatedAt.UTC().Format("2006-01-02 15:04 MST") + " (version " + strconv.FormatInt(u.Version, 10) + "). " +
			"Unassigning the user in Entra deactivates this account at the next provisioning cycle."
	default:
		v.Provisioning = "Not provisioned: Entra's SCIM provisioning has not written this account, so it exists only " +
			"because of sign-ins, and removing the user in Entra will not deactivate it here."
	}
	if !u.Active {
		v.Provisioning += " The account is deactivated."
	}
	return v
}

func orDash(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
