package mockidp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"

	statusSuccess   = "urn:oasis:names:tc:SAML:2.0:status:Success"
	statusResponder = "urn:oasis:names:tc:SAML:2.0:status:Responder"
	statusNoPassive = "urn:oasis:names:tc:SAML:2.0:status:NoPassive"
	cmBearer        = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	classPassword   = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
	amrPassword     = "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"
)

// samlTime is Entra's timestamp form: UTC with exactly three fractional
// digits.
func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// issue is everything a response depends on.
type issue struct {
	tenant directory.Tenant
	app    directory.App
	user   directory.User
	// acs is the Reply URL the response is posted to (Destination,
	// Recipient).
	acs string
	// inResponseTo is the AuthnRequest ID; empty for unsolicited.
	inResponseTo string
	// audience is the request's Issuer, or the default Identifier for
	// unsolicited responses.
	audience string
	// nameIDFormat and spNameQualifier come from the request's
	// NameIDPolicy.
	nameIDFormat, spNameQualifier string
	// authnInstant is when the user entered the password.
	authnInstant time.Time
}

// issued is a signed response and what the sign-in log keeps of it.
type issued struct {
	// body is the response as posted to the ACS.
	body []byte
	// logXML is the same response with its signature values elided (see
	// signatureElided), and claims its Name ID and attribute values: the
	// log's view, written from the tree the response was written from, so
	// the log never has to read the response back.
	logXML string
	claims []auditlog.Claim
}

// issueResponse builds and signs the SAML Response in the captured wire
// shape (reference §3.8). A *requestError is an AADSTS failure of token
// issuance (step 8 of Entra's order); other errors are internal.
func (s *Server) issueResponse(ctx context.Context, is issue) (issued, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	key, err := s.signingKey(ctx, is.app.AppID, now)
	if err != nil {
		return issued{}, err
	}
	nameID, format, err := s.nameID(is)
	if err != nil {
		return issued{}, err
	}
	// Entra stamps the conditions from an instant a little before the
	// assertion's IssueInstant, and the Response a few ms after it.
	base := now.Add(-150 * time.Millisecond)
	assertInstant := now.Add(-6 * time.Millisecond)
	notOnOrAfter := samlTime(base.Add(60 * time.Minute))
	issuer := IssuerFor(is.tenant.ID)
	respID, assertID := s.samlID(), s.samlID()

	resp := etree.NewElement("samlp:Response")
	resp.CreateAttr("ID", respID)
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", samlTime(now))
	resp.CreateAttr("Destination", is.acs)
	if is.inResponseTo != "" {
		resp.CreateAttr("InResponseTo", is.inResponseTo)
	}
	resp.CreateAttr("xmlns:samlp", nsProtocol)
	ri := resp.CreateElement("Issuer")
	ri.CreateAttr("xmlns", nsAssertion)
	ri.SetText(issuer)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", statusSuccess)

	a := resp.CreateElement("Assertion")
	a.CreateAttr("ID", assertID)
	a.CreateAttr("IssueInstant", samlTime(assertInstant))
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("xmlns", nsAssertion)
	a.CreateElement("Issuer").SetText(issuer)

	subj := a.CreateElement("Subject")
	nid := subj.CreateElement("NameID")
	nid.CreateAttr("Format", format)
	if is.spNameQualifier != "" {
		nid.CreateAttr("SPNameQualifier", is.spNameQualifier)
	}
	nid.SetText(clean(nameID))
	claims := []auditlog.Claim{{Name: "NameID", Value: nid.Text()}}
	sc := subj.CreateElement("SubjectConfirmation")
	sc.CreateAttr("Method", cmBearer)
	scd := sc.CreateElement("SubjectConfirmationData")
	if is.inResponseTo != "" {
		scd.CreateAttr("InResponseTo", is.inResponseTo)
	}
	scd.CreateAttr("NotOnOrAfter", notOnOrAfter)
	scd.CreateAttr("Recipient", is.acs)

	cond := a.CreateElement("Conditions")
	cond.CreateAttr("NotBefore", samlTime(base.Add(-5*time.Minute)))
	cond.CreateAttr("NotOnOrAfter", notOnOrAfter)
	cond.CreateElement("AudienceRestriction").CreateElement("Audience").SetText(audienceValue(is.audience))

	attrs := a.CreateElement("AttributeStatement")
	addAttr := func(name, value string) {
		if value == "" {
			// Entra omits a claim whose source attribute is empty.
			return
		}
		at := attrs.CreateElement("Attribute")
		at.CreateAttr("Name", name)
		v := at.CreateElement("AttributeValue")
		v.SetText(clean(value))
		claims = append(claims, auditlog.Claim{Name: name, Value: v.Text()})
	}
	fixed := directory.FixedClaims()
	addAttr(fixed[0], is.tenant.ID)
	addAttr(fixed[1], is.user.ObjectID)
	addAttr(fixed[2], is.user.DisplayName)
	addAttr(fixed[3], issuer)
	addAttr(fixed[4], amrPassword)
	for _, c := range is.app.Claims {
		v, _ := is.user.Attribute(c.Source)
		addAttr(c.WireName(), v)
	}
	if is.app.GroupClaim.Groups != directory.GroupsNone {
		// One Attribute with a value per group; none when the user is in
		// none of the groups the claim covers, as Entra omits it.
		groups, err := s.dir.GroupClaimValues(ctx, is.app, is.user.ObjectID)
		if err != nil {
			return issued{}, err
		}
		if len(groups) > 0 {
			at := attrs.CreateElement("Attribute")
			name := is.app.GroupClaim.WireName()
			at.CreateAttr("Name", name)
			for _, g := range groups {
				v := at.CreateElement("AttributeValue")
				v.SetText(clean(g))
				claims = append(claims, auditlog.Claim{Name: name, Value: v.Text()})
			}
		}
	}

	as := a.CreateElement("AuthnStatement")
	as.CreateAttr("AuthnInstant", samlTime(is.authnInstant.Truncate(time.Second)))
	as.CreateAttr("SessionIndex", assertID)
	as.CreateElement("AuthnContext").CreateElement("AuthnContextClassRef").SetText(classPassword)

	// The signature goes right after Issuer in whichever element is
	// signed; the assertion first, so a response signature covers it.
	var sigs []*etree.Element
	if is.app.SigningOption.SignsAssertion() {
		sig, err := signAfter(a, 1, key, is.app.SigningAlgorithm)
		if err != nil {
			return issued{}, err
		}
		sigs = append(sigs, sig)
	}
	if is.app.SigningOption.SignsResponse() {
		sig, err := signAfter(resp, 1, key, is.app.SigningAlgorithm)
		if err != nil {
			return issued{}, err
		}
		sigs = append(sigs, sig)
	}
	body, err := serialize(resp)
	if err != nil {
		return issued{}, err
	}
	logXML, err := elideSignatureValues(body, resp, sigs)
	if err != nil {
		return issued{}, err
	}
	return issued{body: body, logXML: logXML, claims: claims}, nil
}

// elideSignatureValues is the log's copy of body, the serialized resp:
// the same bytes with each signature value of sigs replaced by
// signatureElided. A value is base64, which the writer does not escape,
// so it stands in body exactly as <SignatureValue>value</SignatureValue>;
// replacing it there spares writing the whole tree a second time. Should
// it not (a writer that wrapped the value), the tree is written again with
// the values replaced.
func elideSignatureValues(body []byte, resp *etree.Element, sigs []*etree.Element) (string, error) {
	out := string(body)
	for _, sig := range sigs {
		for _, sv := range sig.SelectElements("SignatureValue") {
			open, end := "<"+sv.FullTag()+">", "</"+sv.FullTag()+">"
			value := open + sv.Text() + end
			if strings.Count(out, value) != 1 {
				return reserialize(resp, sigs)
			}
			out = strings.Replace(out, value, open+signatureElided+end, 1)
		}
	}
	return out, nil
}

// reserialize writes resp again with its signature values replaced by
// signatureElided.
func reserialize(resp *etree.Element, sigs []*etree.Element) (string, error) {
	for _, sig := range sigs {
		for _, sv := range sig.SelectElements("SignatureValue") {
			sv.SetText(signatureElided)
		}
	}
	logXML, err := serialize(resp)
	return string(logXML), err
}

func (s *Server) signingKey(ctx context.Context, appID string, at time.Time) (directory.SigningKey, error) {
	key, err := s.dir.SigningKey(ctx, appID, at)
	if errors.Is(err, directory.ErrNotFound) {
		return directory.SigningKey{}, &requestError{codeNoSigningKey, msgNoSigningKey(appID)}
	}
	return key, err
}

// audienceValue applies Entra's rule: an Issuer that is not a URI becomes
// "spn:<Issuer>".
func audienceValue(issuer string) string {
	if scheme, _, ok := strings.Cut(issuer, ":"); ok && scheme != "" && !strings.ContainsAny(scheme, "/?#") {
		return issuer
	}
	return "spn:" + issuer
}

// clean drops carriage returns: an XML parser turns them into line feeds,
// which would break the digest computed over the value as written.
func clean(s string) string { return strings.ReplaceAll(s, "\r", "") }

// nameID applies the app's Unique User Identifier and the request's
// NameIDPolicy (reference §3.3): a requested format is honoured;
// persistent gives a pairwise identifier, transient a random one,
// emailAddress and unspecified the configured source's value, anything
// else AADSTS75016. An empty source value is AADSTS501241.
func (s *Server) nameID(is issue) (value, format string, err error) {
	switch f := directory.NameIDFormat(is.nameIDFormat); f {
	case "":
		format = string(is.app.NameID.Format)
		if is.app.NameID.Format == directory.NameIDDefault {
			// "Default" has no format of its own on the wire (inferred).
			format = string(directory.NameIDUnspecified)
		}
	case directory.NameIDUnspecified, directory.NameIDEmailAddress:
		format = string(f)
	case directory.NameIDPersistent:
		sum := sha256.Sum256([]byte(is.tenant.ID + "\x00" + is.app.AppID + "\x00" + is.user.ObjectID))
		return base64.StdEncoding.EncodeToString(sum[:]), string(f), nil
	case directory.NameIDTransient:
		var b [32]byte
		if _, err := io.ReadFull(s.rand, b[:]); err != nil {
			return "", "", fmt.Errorf("make a transient name ID: %w", err)
		}
		return base64.StdEncoding.EncodeToString(b[:]), string(f), nil
	default:
		return "", "", &requestError{codeInvalidNameIDPolicy, msgInvalidNameID}
	}
	value, _ = is.user.Attribute(is.app.NameID.Source)
	if value == "" {
		return "", "", &requestError{codeNameIDSourceMissing, msgNameIDSourceMissing(is.app.NameID.Source)}
	}
	return value, format, nil
}

// statusResponse builds an unsigned error Response, as Entra posts for
// protocol-level failures it can report to a trusted ACS (e.g. IsPassive
// without a session).
func (s *Server) statusResponse(tenantID, acs, inResponseTo, top, second string, code int, message string) ([]byte, error) {
	now := s.now().UTC()
	resp := etree.NewElement("samlp:Response")
	resp.CreateAttr("ID", s.samlID())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", samlTime(now))
	resp.CreateAttr("Destination", acs)
	if inResponseTo != "" {
		resp.CreateAttr("InResponseTo", inResponseTo)
	}
	resp.CreateAttr("xmlns:samlp", nsProtocol)
	ri := resp.CreateElement("Issuer")
	ri.CreateAttr("xmlns", nsAssertion)
	ri.SetText(IssuerFor(tenantID))
	st := resp.CreateElement("samlp:Status")
	sc := st.CreateElement("samlp:StatusCode")
	sc.CreateAttr("Value", top)
	sc.CreateElement("samlp:StatusCode").CreateAttr("Value", second)
	st.CreateElement("samlp:StatusMessage").SetText(fmt.Sprintf("AADSTS%d: %s\nTrace ID: %s\nCorrelation ID: %s\nTimestamp: %s",
		code, message, s.guid(), s.guid(), now.Format("2006-01-02 15:04:05Z")))
	return serialize(resp)
}
