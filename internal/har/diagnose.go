package har

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
	"github.com/ssowiz/ssowiz/internal/loopback"
)

// terms are the words a diagnosis uses for the SP and for where its
// settings are in Entra: the guide's RudderStack app when the SP is
// Cognito, and "the app" for any other SP (your own on `ssowiz serve`), so
// that advice about another app never sends the admin to RudderStack.
type terms struct {
	sp       string // the SP in a sentence: "RudderStack" or "the app"
	app      string // the enterprise app's blade in Entra
	basic    string // its Basic SAML Configuration
	claim    string // its Attributes & Claims
	certs    string // its SAML Certificates
	resend   string // how the SP gets this app's metadata again
	escalate string // who to send a redacted HAR to
	said     string // introduces the SP's own error message
}

// spTitle is the SP's name at the start of a sentence.
func (t terms) spTitle() string { return strings.ToUpper(t.sp[:1]) + t.sp[1:] }

func (o Options) terms() terms {
	t := terms{
		sp:       "RudderStack",
		app:      "Microsoft Entra admin center → Enterprise applications → your RudderStack app",
		resend:   "send RudderStack this app's App Federation Metadata URL again",
		escalate: "send the redacted HAR (`ssowiz har redact`) to RudderStack support",
		said:     "RudderStack (Cognito) said: ",
	}
	if !o.cognitoSP() {
		t = terms{
			sp:       "the app",
			app:      "Microsoft Entra admin center → Enterprise applications → your app",
			resend:   "load this app's App Federation Metadata URL (or its Federation Metadata XML) into the app's SAML settings again",
			escalate: "look in the app's own logs for why it refused",
			said:     "The app said: ",
		}
	}
	t.basic = t.app + " → Single sign-on → Basic SAML Configuration"
	t.claim = t.app + " → Single sign-on → Attributes & Claims"
	t.certs = t.app + " → Single sign-on → SAML Certificates"
	return t
}

// aadRemedy holds the remediation for the AADSTS codes this flow meets
// (reference §2.3), in the terms of the SP at hand.
func aadRemedy(code string, req *samlmsg.Message, o Options) (title, remedy string) {
	t := o.terms()
	reqACS, reqIssuer := "(not in the HAR)", "(not in the HAR)"
	if req != nil {
		if req.ACSURL != "" {
			reqACS = req.ACSURL
		}
		if req.Issuer != "" {
			reqIssuer = req.Issuer
		}
	}
	switch code {
	case "50011":
		return "Entra refused the reply URL", fmt.Sprintf("%s → Reply URL (Assertion Consumer Service URL): it must be exactly %q "+
			"(the request asked for %q; no trailing slash, same case, https). Save, wait a minute, and start again at %s.", t.basic, o.ACSURL, reqACS, o.StartURL)
	case "700016":
		return "Entra does not know the app's Identifier", fmt.Sprintf("%s → Identifier (Entity ID): it must be exactly %q (the request's Issuer was %q). "+
			"If it is, %s has another tenant's metadata: %s.", t.basic, o.EntityID, reqIssuer, t.sp, t.resend)
	case "50105":
		return "The user is not assigned to the app", t.app + " → Users and groups → Add user/group: assign this user, or a group they are a direct member of " +
			"(nested groups do not count). Or set Properties → Assignment required? to No."
	case "750054":
		return "Entra's SAML endpoint was opened without a SAMLRequest", fmt.Sprintf("Start the sign-in at %s, not at Entra's Login URL. %s", o.StartURL, startCaveat(o))
	case "75005", "750055", "750056", "7500529", "75011", "75016", "76026", "75008", "90015", "900236", "75006", "90011":
		if !o.cognitoSP() {
			return "Entra refused the app's SAML request", "The AuthnRequest the app sent is not acceptable to Entra (the message above says what): fix how the app builds or encodes it. " +
				"With the HTTP-Redirect binding it must be raw DEFLATE, then base64, then URL-encoded; with the HTTP-POST binding, base64 without DEFLATE."
		}
		return "Entra refused RudderStack's SAML request", "The AuthnRequest RudderStack sent is not acceptable to Entra; this is not a setting on your side. Send the redacted HAR (`ssowiz har redact`) to RudderStack support."
	case "76021":
		if !o.cognitoSP() {
			return "Entra requires signed requests", t.certs + " → Verification certificates: upload the certificate the app signs its requests with, or turn off \"Require verification certificates\"."
		}
		return "Entra requires signed requests", t.certs + " → Verification certificates: turn off \"Require verification certificates\"; RudderStack does not sign its SAML requests."
	case "50126":
		return "Wrong user name or password", "Sign in again with the right password, or reset it in Entra → Users → the user → Reset password."
	case "50034":
		return "The account is not in this tenant", fmt.Sprintf("Check the user name (UPN) in Entra → Users; if it is right, %s may have another tenant's metadata: %s.", t.sp, t.resend)
	case "50020":
		return "The account belongs to another tenant", "Invite the user as a guest in Entra → Users → Invite external user, or sign in with a member account of this tenant."
	case "50057", "50053", "50055":
		return "The account cannot sign in", "Entra → Users → the user: enable the account, unlock it or reset the expired password."
	case "50076", "50079", "53003":
		return "Conditional Access or MFA stopped the sign-in", "Complete MFA, or review Entra → Protection → Conditional Access policies that apply to " + strings.TrimPrefix(t.app, "Microsoft Entra admin center → Enterprise applications → ") + "."
	case "90002":
		return "Unknown tenant in the sign-in URL", fmt.Sprintf("%s has metadata with a wrong tenant ID: %s (%s).", t.spTitle(), t.resend, t.certs)
	case "501241":
		return "The Name ID source attribute is empty for this user", t.claim + " → Unique User Identifier (Name ID): use user.userprincipalname, or fill the source attribute for this user in Entra → Users → Properties."
	case "50003", "50146":
		return "The app has no valid signing certificate", fmt.Sprintf("%s: add a new certificate, make it active, and %s.", t.certs, t.resend)
	case "900971":
		return "The app has no Reply URL", fmt.Sprintf("%s → Reply URL (Assertion Consumer Service URL): set it to %q.", t.basic, o.ACSURL)
	}
	return "Entra reported an error", "Look the code up at https://login.microsoftonline.com/error?code=" + code + " and check the app's settings under " + t.app + "."
}

// poolAttribute maps Cognito's user-pool attribute names in its messages to
// the claim the SP expects.
var poolAttribute = map[string]string{"email": "Email", "family_name": "LastName", "name": "LastName"}

var cognitoAttrRE = regexp.MustCompile(`Invalid user attributes: ([A-Za-z0-9_:]+): (The attribute is required|Required attribute cannot be deleted)`)

// cognitoRemedy explains a Cognito message.
func cognitoRemedy(msg string, o Options) (title, remedy string) {
	t := o.terms()
	switch {
	case cognitoAttrRE.MatchString(msg):
		m := cognitoAttrRE.FindStringSubmatch(msg)
		claim := poolAttribute[m[1]]
		if claim == "" {
			claim = m[1]
		}
		return "RudderStack did not get a required attribute", attributeRemedy(claim, t)
	case strings.Contains(msg, "signature is invalid"):
		return "RudderStack could not verify Entra's signature", t.certs + ": the Active certificate is not the one RudderStack has (it was renewed, or RudderStack has another app's metadata). " +
			"Copy the App Federation Metadata URL and send it to RudderStack again."
	case strings.Contains(msg, "ProviderName/Username"):
		return "The user's Name ID changed", t.claim + " → Unique User Identifier (Name ID) = user.userprincipalname; Cognito keys users on the exact Name ID (case included), so do not change it once users have signed in."
	case strings.Contains(msg, "Encrypted Assertion"):
		return "RudderStack expects encrypted assertions", t.app + " → Single sign-on → Token encryption: import RudderStack's certificate and activate it, or ask RudderStack to accept unencrypted assertions."
	case strings.Contains(msg, "length less than or equal"):
		return "A claim is too long for RudderStack", t.claim + ": remove the groups claim (and any other long claim); RudderStack needs only Email and LastName."
	case strings.Contains(msg, "An error was encountered with the requested page"):
		return "The response did not reach RudderStack's sign-in endpoint properly", fmt.Sprintf("%s → Reply URL (Assertion Consumer Service URL) must be exactly %q.", t.basic, o.ACSURL)
	case strings.Contains(msg, "Invalid relayState"):
		return "RudderStack did not recognise the RelayState", fmt.Sprintf("Start at %s; leave %s → Relay State empty.", o.StartURL, t.basic)
	case strings.Contains(msg, "Something went wrong"):
		return "The sign-in took too long", fmt.Sprintf("RudderStack waits 5 minutes for Entra's answer: start again at %s and finish the sign-in without pausing.", o.StartURL)
	case strings.Contains(msg, "udience"):
		return "RudderStack refused the audience", fmt.Sprintf("%s → Identifier (Entity ID) must be exactly %q.", t.basic, o.EntityID)
	case strings.Contains(msg, "Destination or Recipient"):
		return "The response was addressed to another Reply URL", fmt.Sprintf("%s → Reply URL (Assertion Consumer Service URL) must be exactly %q.", t.basic, o.ACSURL)
	case strings.Contains(msg, "InResponseTo"):
		return "The response answers another sign-in", fmt.Sprintf("Start again at %s in one tab, and do not go back to an older Entra sign-in page.", o.StartURL)
	case strings.Contains(msg, "has expired"), strings.Contains(msg, "not yet valid"):
		return "The assertion was outside its validity window", fmt.Sprintf("Start again at %s and finish without pausing; if it keeps failing, the clock of Entra's or RudderStack's side is off.", o.StartURL)
	case strings.Contains(msg, "Issuer does not match"), strings.Contains(msg, "Unable to retrieve metadata"):
		return "RudderStack has other metadata than this app's", t.certs + ": copy the App Federation Metadata URL of this app and send it to RudderStack again."
	case strings.Contains(msg, "already been used"):
		return "The response was replayed", fmt.Sprintf("Each response works once: start again at %s instead of reloading or going back.", o.StartURL)
	case strings.Contains(msg, "Unable to decrypt"):
		return "RudderStack cannot decrypt the assertion", t.app + " → Single sign-on → Token encryption: use RudderStack's current certificate, or turn token encryption off."
	case strings.Contains(msg, "NameID is missing"):
		return "The assertion has no Name ID", t.claim + " → Unique User Identifier (Name ID) = user.userprincipalname."
	case strings.Contains(msg, "larger than"):
		return "The response is too large for RudderStack", t.claim + ": remove the groups claim and other large claims; RudderStack needs only Email and LastName."
	case strings.Contains(msg, "Status is not Success"):
		return "Entra answered with an error status", "Look for the AADSTS code in the SAML response's status above and fix what it names under " + t.app + "."
	case strings.Contains(msg, "started in another browser"), strings.Contains(msg, "invalid_state"):
		return "The sign-in ended in another browser than it started in", fmt.Sprintf("The app ties a sign-in to the browser that started it (its state cookie), "+
			"so a sign-in link (Cognito's or Entra's) opened elsewhere, bookmarked or shared cannot finish. Start again at %s in this browser.", o.StartURL)
	case strings.Contains(msg, "link has expired or has already been used"):
		return "The sign-in link was used already", fmt.Sprintf("Start again at %s instead of reloading or going back.", o.StartURL)
	case strings.Contains(msg, "Login option is not available"):
		return "RudderStack has no SSO connection for this sign-in", "Ask RudderStack to check the SSO connection for your email domain (they set it up from your App Federation Metadata URL)."
	}
	return "RudderStack refused the sign-in", "Send the redacted HAR (`ssowiz har redact`) to RudderStack support with this message."
}

func attributeRemedy(name string, t terms) string {
	source := "the right user attribute"
	switch name {
	case "Email":
		source = "user.mail"
	case "LastName":
		source = "user.displayname (or user.surname)"
	}
	return fmt.Sprintf("%s → Add new claim: Name %q exactly (case matters), Namespace empty, Source attribute %s. "+
		"If the claim exists, check that the user has a value for its source in Entra → Users → Properties.", t.claim, name, source)
}

// diagnose finds a flow's problems. Findings that did not stop a
// sign-in that succeeded (a skewed clock) come back as notes.
func diagnose(fl *Flow, group []*entryFacts, o Options) ([]Diagnosis, []string) {
	var out []Diagnosis
	var notes []string
	t := o.terms()
	add := func(d Diagnosis) { out = append(out, d) }
	// timeFinding reports a time problem: a diagnosis when the sign-in did
	// not succeed, a note when it did (the browser's own clock may be off).
	timeFinding := func(d Diagnosis) {
		if fl.Outcome == OutcomeSignedIn {
			notes = append(notes, fmt.Sprintf("flow %d: %s (the sign-in succeeded all the same): %s", fl.Index, d.Title, d.Detail))
			return
		}
		add(d)
	}

	var req *samlmsg.Message
	var responses []*Message
	for i := range fl.Messages {
		m := &fl.Messages[i]
		if m.Summary == nil {
			continue
		}
		switch m.Summary.Type {
		case "AuthnRequest":
			req = m.Summary
		case "Response":
			responses = append(responses, m)
		}
	}
	has := func(step string) bool {
		for _, f := range group {
			if contains(f.steps, step) {
				return true
			}
		}
		return false
	}

	// AADSTS errors on Entra's pages and in SAML statuses.
	aad := map[string][]int{}
	aadMsg := map[string]string{}
	var codes []string
	noteAAD := func(code, msg string, entry int) {
		if _, ok := aad[code]; !ok {
			codes = append(codes, code)
			aadMsg[code] = msg
		}
		if !containsInt(aad[code], entry) {
			aad[code] = append(aad[code], entry)
		}
	}
	for _, f := range group {
		for _, a := range f.aad {
			noteAAD(a.Code, a.Message, f.idx)
		}
	}
	for _, m := range responses {
		st := m.Summary.Status
		if st == nil || st.Success() {
			continue
		}
		if sm := aadstsRE.FindStringSubmatch(st.Message); sm != nil {
			noteAAD(sm[1], cleanMessage(sm[2]), m.Entry)
			continue
		}
		add(Diagnosis{
			ID: DiagSAMLStatus, Code: st.Code, Title: "Entra answered with a SAML error status",
			Detail:      fmt.Sprintf("Status %s %s: %s", st.Code, st.SubCode, st.Message),
			Remediation: "Check the app's settings under " + t.app + "; if they look right, " + t.escalate + ".",
			Entries:     []int{m.Entry},
		})
	}
	// Single sign-out: Entra's LogoutResponse with an error status.
	for i := range fl.Messages {
		m := &fl.Messages[i]
		if m.Summary == nil || m.Summary.Type != "LogoutResponse" || m.Summary.Status.Success() {
			continue
		}
		st := m.Summary.Status
		add(Diagnosis{
			ID: DiagSAMLStatus, Code: st.Code, Title: "Entra refused the sign-out",
			Detail:      fmt.Sprintf("The LogoutResponse has status %s %s: %s", st.Code, st.SubCode, st.Message),
			Remediation: t.basic + " → Logout Url must be the app's sign-out endpoint (for Cognito, https://<your domain>/saml2/logout), and the app's LogoutRequest must name its Identifier as Issuer.",
			Entries:     []int{m.Entry},
		})
	}
	// Single sign-out whose LogoutResponse came by HTTP-Redirect (a GET
	// carrying it in the query, as Entra sends it) and was refused: the
	// app's endpoint takes the POST binding only, as Cognito's
	// /saml2/logout does.
	for _, f := range group {
		if f.method == "GET" && f.status >= 400 && hasMessageType(f, "LogoutResponse", "query") {
			d := Diagnosis{
				ID: DiagLogoutBinding, Title: "The app refused Entra's LogoutResponse, which came by HTTP-Redirect",
				Detail: fmt.Sprintf("Entra ended its session and sent its LogoutResponse by HTTP-Redirect (entry %d, a GET with SAMLResponse in the URL); "+
					"the app answered %d. Entra sends sign-out answers by redirect only, and Cognito's /saml2/logout takes them by POST only, "+
					"so Cognito's sign-out flow cannot finish with Entra.", f.idx, f.status),
				Remediation: "Nothing to change in Entra: the user is signed out of Entra and of the app. RudderStack does not use single sign-out; " +
					"with Cognito, turn its sign-out flow off for this IdP (and clear " + t.basic + " → Logout Url) so users land on the app's own signed-out page.",
				Entries: []int{f.idx},
			}
			if !o.cognitoSP() {
				d.Detail = fmt.Sprintf("Entra ended its session and sent its LogoutResponse by HTTP-Redirect (entry %d, a GET with SAMLResponse in the URL); "+
					"the app answered %d. Entra sends sign-out answers by redirect only.", f.idx, f.status)
				d.Remediation = "Nothing to change in Entra: the user is signed out of Entra. Make the app's single sign-out endpoint (" + t.basic +
					" → Logout Url) take a LogoutResponse by HTTP-Redirect, or clear that Logout Url if the app does not need single sign-out."
			}
			add(d)
			break
		}
	}
	// Single sign-out that stopped at Entra: a LogoutRequest answered with
	// a page that carries no LogoutResponse and no AADSTS error is Entra's
	// own "You signed out of your account" page, which it shows when the
	// app has no Logout Url: the user is signed out of Entra, but the app
	// never hears so (reports with real Entra: derricksmith/phpsaml#109,
	// scaler-tech/laravel-saml2#42, simplesamlphp#390).
	if !slices.ContainsFunc(fl.Messages, func(m Message) bool { return m.Summary != nil && m.Summary.Type == "LogoutResponse" }) {
		for _, f := range group {
			if contains(f.steps, StepLogout) && f.status >= 200 && f.status < 300 && len(f.aad) == 0 {
				add(Diagnosis{
					ID: DiagNoLogoutURL, Title: "Entra signed the user out but had nowhere to send its LogoutResponse",
					Detail: fmt.Sprintf("Entra answered the LogoutRequest (entry %d) with its own page and no LogoutResponse, so the browser stayed at Entra "+
						"and the app never learned the sign-out finished. Entra does this when the app has no Logout Url.", f.idx),
					Remediation: t.basic + " → Logout Url: set it to the app's single sign-out endpoint (for Cognito, https://<your domain>/saml2/logout), then sign out again.",
					Entries:     []int{f.idx},
				})
				break
			}
		}
	}
	for _, code := range codes {
		title, remedy := aadRemedy(code, req, o)
		add(Diagnosis{
			ID: DiagAADSTS, Code: "AADSTS" + code, Title: title + " (AADSTS" + code + ")",
			Detail: "Entra showed: AADSTS" + code + ": " + aadMsg[code], Remediation: remedy, Entries: aad[code],
		})
	}

	// Cognito's messages.
	idpInitEvidence, relayEvidence := []int{}, []int{}
	cognito := map[string][]int{}
	var cognitoOrder []string
	for _, f := range group {
		for _, msg := range f.spErrors {
			switch {
			case strings.Contains(msg, "Invalid samlResponse or relayState"):
				idpInitEvidence = append(idpInitEvidence, f.idx)
			case strings.Contains(msg, "Required String parameter 'RelayState'"):
				relayEvidence = append(relayEvidence, f.idx)
			case strings.HasPrefix(msg, "AADSTS"):
			default:
				if _, ok := cognito[msg]; !ok {
					cognitoOrder = append(cognitoOrder, msg)
				}
				cognito[msg] = append(cognito[msg], f.idx)
			}
		}
	}
	for _, msg := range cognitoOrder {
		if !o.cognitoSP() {
			title, remedy := appRemedy(msg, responses, o)
			add(Diagnosis{ID: DiagCognito, Code: msg, Title: title, Detail: t.said + msg, Remediation: remedy, Entries: cognito[msg]})
			continue
		}
		title, remedy := cognitoRemedy(msg, o)
		add(Diagnosis{ID: DiagCognito, Code: msg, Title: title, Detail: t.said + msg, Remediation: remedy, Entries: cognito[msg]})
	}

	// IdP-initiated: a response that answers no request.
	unsolicited := []int{}
	if req == nil {
		for _, m := range responses {
			if m.Summary.InResponseTo == "" && (len(m.Summary.Assertions) == 0 || m.Summary.Assertions[0].SubjectInResponseTo == "") {
				unsolicited = append(unsolicited, m.Entry)
			}
		}
	}
	idpInitiated := len(unsolicited) > 0 || len(idpInitEvidence) > 0
	// Another app may take an IdP-initiated sign-in: a problem only when
	// it refused it.
	if idpInitiated && (o.cognitoSP() || fl.Outcome != OutcomeSignedIn) {
		detail := "Entra sent a SAMLResponse that answers no AuthnRequest (no InResponseTo): the sign-in was started from Entra (My Apps tile or the Test button), which RudderStack does not support."
		if !o.cognitoSP() {
			detail = "Entra sent a SAMLResponse that answers no AuthnRequest (no InResponseTo): the sign-in was started from Entra (My Apps tile or the Test button), and the app did not take it; " +
				"many SAML libraries refuse an unsolicited response unless told to accept one."
		}
		if len(idpInitEvidence) > 0 {
			detail += " RudderStack said: Invalid samlResponse or relayState from identity provider."
		}
		add(Diagnosis{
			ID: DiagIdPInitiated, Title: "The sign-in was started from Entra, not from " + t.sp, Detail: detail,
			Remediation: fmt.Sprintf("Users must start at %s. %s", o.StartURL, startCaveat(o)),
			Entries:     sortedInts(append(unsolicited, idpInitEvidence...)),
		})
	}

	// A launch from Entra that ended with a GET of the Reply URL: the
	// Sign on URL is the Reply URL (or the tile's link was used as one).
	var acsGets []int
	for _, f := range group {
		if f.acsGet {
			acsGets = append(acsGets, f.idx)
		}
	}
	launched := has(StepLaunch)
	if len(acsGets) > 0 {
		how := "Entra sent the browser to the Reply URL with a GET"
		if launched {
			how = "The sign-in was launched from Entra (the My Apps tile, its User access URL or the Test button), and Entra sent the browser to the Reply URL with a GET"
		}
		add(Diagnosis{
			ID: DiagSignOnURL, Title: "The app was launched at its Reply URL instead of its sign-in page",
			Detail: how + ": the Reply URL only takes a SAMLResponse by POST, so " + t.sp + " refused it. " +
				"The Reply URL itself is right; the launch used it as the Sign on URL.",
			Remediation: fmt.Sprintf("Start at %s. %s", o.StartURL, startCaveat(o)),
			Entries:     acsGets,
		})
	}

	// Did it start at /sso?
	if !has(StepStart) && !idpInitiated && (has(StepAuthorize) || has(StepIdPRequest) || has(StepACS) || launched) {
		add(Diagnosis{
			ID: DiagNotAtSSO, Title: "The flow did not start at " + o.StartURL,
			Detail:      fmt.Sprintf("The first step is %s (entry %d), not the app's sign-in page.", strings.Join(group[0].steps, "+"), group[0].idx),
			Remediation: fmt.Sprintf("Start every sign-in (and every HAR capture) at %s in a private window; bookmarks of Entra's (or Cognito's) pages do not work.", o.StartURL),
			Entries:     []int{group[0].idx},
		})
	}

	// RelayState: Cognito always sends one with its request and needs it
	// back with the response.
	for _, f := range group {
		if contains(f.steps, StepACS) && !f.acsRelayState {
			relayEvidence = append(relayEvidence, f.idx)
		}
		if contains(f.steps, StepIdPRequest) {
			for _, m := range f.messages {
				if m.param == "SAMLRequest" && (m.where == "query" || m.where == "body") && !m.hasRelayState {
					relayEvidence = append(relayEvidence, f.idx)
				}
			}
		}
	}
	if len(relayEvidence) > 0 && o.cognitoSP() {
		add(Diagnosis{
			ID: DiagRelayState, Title: "The RelayState is missing",
			Detail: "A SAML message went without RelayState; RudderStack (Cognito) answers \"Required String parameter 'RelayState' is not present\". " +
				"Cognito sends a RelayState with its request, so a missing one means the sign-in did not start at RudderStack.",
			Remediation: fmt.Sprintf("Start at %s and leave %s → Relay State empty. %s", o.StartURL, t.basic, startCaveat(o)),
			Entries:     sortedInts(dedupeInts(relayEvidence)),
		})
	}

	// Per response: where it went, for whom, what it holds, when.
	for _, m := range responses {
		s := m.Summary
		posted, postedAt, firstSeen := postedTo(m, group)
		expectedACS := o.ACSURL
		if req != nil && req.ACSURL != "" {
			expectedACS = req.ACSURL
		} else if o.acsGuessed && posted != "" && loopback.URL(posted) {
			// A local rehearsal: nothing in the HAR says the production
			// Reply URL applies, and advice to use it would break the
			// setup. The response must still be addressed where it went.
			expectedACS = posted
		}
		var bad []string
		if posted != "" && posted != expectedACS {
			bad = append(bad, fmt.Sprintf("the response was posted to %q", posted))
		}
		if s.Destination != "" && s.Destination != expectedACS {
			bad = append(bad, fmt.Sprintf("its Destination is %q", s.Destination))
		}
		for _, a := range s.Assertions {
			if a.Recipient != "" && a.Recipient != expectedACS {
				bad = append(bad, fmt.Sprintf("its Recipient is %q", a.Recipient))
				break
			}
		}
		if len(bad) > 0 {
			add(Diagnosis{
				ID: DiagReplyURL, Title: "Entra's Reply URL does not match " + t.sp + "'s",
				Detail:      fmt.Sprintf("%s's Reply URL is %q, but %s.", t.spTitle(), expectedACS, strings.Join(bad, ", ")),
				Remediation: fmt.Sprintf("%s → Reply URL (Assertion Consumer Service URL): set it to exactly %q (no trailing slash, same case).", t.basic, expectedACS),
				Entries:     []int{m.Entry},
			})
		}
		if !s.Status.Success() {
			continue
		}
		expectedAud := o.EntityID
		if req != nil && req.Issuer != "" {
			expectedAud = req.Issuer
		}
		// Another app's entity ID is unknown without its AuthnRequest
		// (or --entity-id): RudderStack's is no measure of it.
		audienceKnown := o.cognitoSP() || expectedAud != DefaultEntityID
		for _, a := range s.Assertions {
			if audienceKnown && !contains(a.Audiences, expectedAud) {
				got := "no Audience"
				if len(a.Audiences) > 0 {
					got = fmt.Sprintf("Audience %q", strings.Join(a.Audiences, ", "))
				}
				add(Diagnosis{
					ID: DiagAudience, Title: "The assertion is for another audience",
					Detail:      fmt.Sprintf("%s's entity ID is %q, but the assertion has %s.", t.spTitle(), expectedAud, got),
					Remediation: fmt.Sprintf("%s → Identifier (Entity ID): set it to exactly %q.", t.basic, expectedAud),
					Entries:     []int{m.Entry},
				})
			}
			for _, name := range o.RequiredAttributes {
				at, ok := a.Attribute(name)
				if ok && nonEmpty(at.Values) {
					continue
				}
				detail := fmt.Sprintf("The assertion has no %q attribute.", name)
				if ok {
					detail = fmt.Sprintf("The assertion's %q attribute is empty.", name)
				} else if near := nearName(a, name); near != "" {
					detail += fmt.Sprintf(" It has %q, which %s does not read (names are case-sensitive and without a namespace).", near, t.sp)
				}
				add(Diagnosis{
					ID: DiagMissingAttribute, Code: name, Title: "The " + name + " claim is missing",
					Detail: detail, Remediation: attributeRemedy(name, t), Entries: []int{m.Entry},
				})
			}
			expired := false
			if na, ok := earliestOf(a.NotOnOrAfter, a.SubjectNotOnOrAfter); ok && !postedAt.IsZero() && !postedAt.Before(na) {
				expired = true
				timeFinding(Diagnosis{
					ID: DiagExpired, Title: "The assertion had expired when it was posted",
					Detail: fmt.Sprintf("It was valid until %s, and the browser posted it at %s (%s later).",
						na.UTC().Format(time.RFC3339), postedAt.UTC().Format(time.RFC3339), postedAt.Sub(na).Round(time.Second)),
					Remediation: fmt.Sprintf("Start a fresh sign-in at %s and complete it without pausing; a page left open or a response replayed later is refused.", o.StartURL),
					Entries:     []int{m.Entry},
				})
			}
			if expired {
				continue
			}
			var skew string
			if nb, ok := samlmsg.ParseTime(a.NotBefore); ok && !postedAt.IsZero() && postedAt.Before(nb) {
				skew = fmt.Sprintf("it is valid only from %s, but the browser posted it at %s", nb.UTC().Format(time.RFC3339), postedAt.UTC().Format(time.RFC3339))
			} else if ii, ok := samlmsg.ParseTime(s.IssueInstant); ok && !firstSeen.IsZero() {
				if d := ii.Sub(firstSeen); d > o.MaxSkew || d < -o.MaxSkew {
					skew = fmt.Sprintf("Entra stamped it %s but the browser received it at %s (%s apart)",
						ii.UTC().Format(time.RFC3339), firstSeen.UTC().Format(time.RFC3339), absDur(d).Round(time.Second))
				}
			}
			if skew != "" {
				timeFinding(Diagnosis{
					ID: DiagClockSkew, Title: "Clocks disagree about the assertion's time",
					Detail:      "The assertion's times do not fit the HAR's clock: " + skew + ".",
					Remediation: "Set this computer's clock to network time (Entra's clock is right); " + t.sp + " refuses assertions outside their validity window.",
					Entries:     []int{m.Entry},
				})
			}
		}
		if len(o.MetadataCerts) > 0 {
			for _, sig := range s.Signatures {
				if sig.Certificate == nil || inCerts(sig.Certificate, o.MetadataCerts) {
					continue
				}
				var want []string
				for _, c := range o.MetadataCerts {
					want = append(want, c.SHA1)
				}
				add(Diagnosis{
					ID: DiagCertificate, Code: sig.Certificate.SHA1, Title: "Entra signed with a certificate the metadata does not have",
					Detail: fmt.Sprintf("The %s is signed by the certificate with thumbprint %s; the metadata has %s.",
						sig.Element, sig.Certificate.SHA1, strings.Join(want, ", ")),
					Remediation: t.certs + ": check which certificate is Active; then " + t.resend + ", so that it trusts the certificate Entra signs with.",
					Entries:     []int{m.Entry},
				})
				break
			}
		}
	}
	return mergeCognito(out, t), notes
}

// cognitoExplained pairs a Cognito message with the diagnosis that
// explains it, so one problem is reported once, with Cognito's words as
// evidence.
func cognitoExplained(msg string, d Diagnosis) bool {
	switch d.ID {
	case DiagMissingAttribute:
		m := cognitoAttrRE.FindStringSubmatch(msg)
		return m != nil && (poolAttribute[m[1]] == d.Code || m[1] == d.Code)
	case DiagExpired:
		return strings.Contains(msg, "has expired")
	case DiagClockSkew:
		return strings.Contains(msg, "not yet valid") || strings.Contains(msg, "has expired")
	case DiagAudience:
		return strings.Contains(msg, "udience")
	case DiagReplyURL:
		return strings.Contains(msg, "Recipient") || strings.Contains(msg, "Destination") ||
			strings.Contains(msg, "An error was encountered with the requested page")
	case DiagCertificate:
		return strings.Contains(msg, "signature is invalid")
	case DiagSignOnURL:
		return strings.Contains(msg, "An error was encountered with the requested page") || strings.Contains(msg, "to a GET")
	case DiagLogoutBinding:
		return strings.Contains(msg, "An error was encountered with the requested page") || strings.Contains(msg, "POST only")
	}
	return false
}

// mergeCognito folds each Cognito diagnosis into the diagnosis that
// explains it, when there is one.
func mergeCognito(ds []Diagnosis, t terms) []Diagnosis {
	var out []Diagnosis
	for i, d := range ds {
		if d.ID != DiagCognito {
			continue
		}
		for j := range ds {
			if j != i && ds[j].ID != DiagCognito && cognitoExplained(d.Code, ds[j]) {
				ds[j].Detail += " " + t.said + d.Code
				ds[j].Entries = sortedInts(append(ds[j].Entries, d.Entries...))
				ds[i].ID = ""
				break
			}
		}
	}
	for _, d := range ds {
		if d.ID != "" {
			out = append(out, d)
		}
	}
	return out
}

// postedTo finds where and when a response was posted, and when the
// browser first had it.
func postedTo(m *Message, group []*entryFacts) (target string, at, firstSeen time.Time) {
	for _, f := range group {
		for _, fm := range f.messages {
			if fm.param != "SAMLResponse" || fm.msg == nil || fm.msg.ID != m.Summary.ID {
				continue
			}
			if firstSeen.IsZero() {
				firstSeen = f.started
				if fm.where == "html-form" && f.timeMS > 0 {
					firstSeen = f.started.Add(time.Duration(f.timeMS * float64(time.Millisecond)))
				}
			}
			if fm.where == "body" || fm.where == "query" {
				u := *f.u
				u.RawQuery, u.Fragment = "", ""
				return u.String(), f.started, firstSeen
			}
			if fm.where == "html-form" && target == "" {
				target = fm.formAction
			}
		}
	}
	if target != "" {
		if u, err := url.Parse(target); err == nil {
			u.RawQuery = ""
			target = u.String()
		}
	}
	return target, time.Time{}, firstSeen
}

func earliestOf(vals ...string) (time.Time, bool) {
	var best time.Time
	for _, v := range vals {
		if t, ok := samlmsg.ParseTime(v); ok && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	return best, !best.IsZero()
}

func nearName(a samlmsg.Assertion, name string) string {
	for _, at := range a.Attributes {
		base := at.Name
		if i := strings.LastIndexAny(base, "/:"); i >= 0 {
			base = base[i+1:]
		}
		if at.Name != name && (strings.EqualFold(base, name) ||
			(name == "Email" && strings.EqualFold(base, "emailaddress")) ||
			(name == "LastName" && strings.EqualFold(base, "surname"))) {
			return at.Name
		}
	}
	return ""
}

func inCerts(c *samlmsg.Certificate, set []*samlmsg.Certificate) bool {
	for _, s := range set {
		if c.Same(s) {
			return true
		}
	}
	return false
}

func nonEmpty(vs []string) bool {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func dedupeInts(xs []int) []int {
	var out []int
	for _, x := range xs {
		if !containsInt(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func sortedInts(xs []int) []int {
	xs = dedupeInts(xs)
	sort.Ints(xs)
	return xs
}

// startCaveat is the one story about the Sign on URL (as the wizard and
// `ssowiz check` tell it). For RudderStack: keep the guide's value, the
// Reply URL; with it a My Apps tile or Entra's Test button can't sign
// users in, since RudderStack supports only sign-in started on its side.
// Another app's tile opens its Sign on URL, which should be its own
// sign-in page.
func startCaveat(o Options) string {
	if !o.cognitoSP() {
		return "Entra's My Apps tile and Test button open " + o.terms().basic + " → Sign on URL: set it to the app's own sign-in page so that they start there too."
	}
	return "Keep Basic SAML Configuration → Sign on URL as RudderStack's guide says (the Reply URL): with it the My Apps tile and Entra's Test button land on RudderStack's error page, because RudderStack supports only sign-in started at " + o.StartURL + ". Tell users to start there."
}

// appRemedy explains an error page of an app other than RudderStack (your
// own app on `ssowiz serve`). One refusal is common enough to name: an app
// that wants the whole Response signed (node-saml and passport-saml do by
// default, wantAuthnResponseSigned) while Entra signs only the assertion
// unless told otherwise.
func appRemedy(msg string, responses []*Message, o Options) (title, remedy string) {
	responseSigned := false
	for _, m := range responses {
		for _, sig := range m.Summary.Signatures {
			if sig.Element == "Response" {
				responseSigned = true
			}
		}
	}
	if len(responses) > 0 && !responseSigned && strings.Contains(strings.ToLower(msg), "signature") {
		return "The app wants the SAML response signed",
			"Entra signed only the assertion (its default, \"Sign SAML assertion\"), and the app checks the signature of the whole response. " +
				o.terms().certs + " → Edit → Signing Option: \"Sign SAML response and assertion\" (a tenant file: signing: {option: both}); " +
				"or let the app accept a signed assertion (node-saml: wantAuthnResponseSigned: false)."
	}
	return "The app refused the sign-in", "The app's logs say why; the SAML response above is what Entra sent it."
}
