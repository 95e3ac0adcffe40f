package lab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/internal/browser"
	"github.com/ssowiz/ssowiz/mockidp"
	"github.com/ssowiz/ssowiz/sp"
)

// maxSignInPages bounds the pages a scripted sign-in walks through before
// it gives up: email, Entra's Sign in, password, Stay signed in? and the
// landing page, with room to spare.
const maxSignInPages = 8

// ErrUnexpectedPage is returned when a scripted sign-in meets a page it
// doesn't know how to get past.
var ErrUnexpectedPage = errors.New("the sign-in reached a page with nothing to fill in")

// Outcome is where a sign-in ended, read off the last page.
type Outcome struct {
	// Page is the last page.
	Page *browser.Page
	// SignedIn is true when the user landed on the SP signed in.
	SignedIn bool
	// Me is the SP's /api/me for a signed-in user.
	Me *sp.Me
	// EntraCode and EntraMessage are an AADSTS error Entra showed (the
	// error page, or an inline error on the sign-in form).
	EntraCode, EntraMessage string
	// SPError is an error page of the service provider (Cognito's or the
	// app's).
	SPError *sp.ErrorPage
}

// String says in a few words where the sign-in ended.
func (o Outcome) String() string {
	switch {
	case o.SignedIn && o.Me != nil:
		return fmt.Sprintf("signed in to %s as %s", o.Me.Org, o.Me.Username)
	case o.EntraCode != "":
		return fmt.Sprintf("Entra: %s: %s", o.EntraCode, o.EntraMessage)
	case o.SPError != nil:
		return fmt.Sprintf("RudderStack: %s", o.SPError.Message)
	case o.Page != nil:
		return fmt.Sprintf("stopped at %s (%d)", o.Page.URL.Redacted(), o.Page.StatusCode)
	}
	return "no page"
}

// SignIn plays a person signing in the way RudderStack users must: start
// at the SP's /sso, give the work email, pick or type the account at
// Entra, give the password, and follow the response back to the SP. It
// returns where that ended; an error means the flow broke in a way no
// real page explains (a transport failure, an unexpected page).
func (l *Lab) SignIn(ctx context.Context, b *browser.Browser, email, upn, password string) (Outcome, error) {
	p, err := b.Get(ctx, l.info.SPLoginURL)
	if err != nil {
		return Outcome{}, fmt.Errorf("open %s: %w", l.info.SPLoginURL, err)
	}
	form := p.FormWithField("email")
	if form == nil {
		return Outcome{Page: p}, fmt.Errorf("%s has no email field: %w", l.info.SPLoginURL, ErrUnexpectedPage)
	}
	if p, err = b.Submit(ctx, form, url.Values{"email": {email}}); err != nil {
		return Outcome{}, fmt.Errorf("submit the email at %s: %w", l.info.SPLoginURL, err)
	}
	return l.Continue(ctx, b, p, upn, password)
}

// Continue carries a sign-in on from page p (an Entra sign-in page, or
// wherever a flow led) to its end, as SignIn does after the email.
func (l *Lab) Continue(ctx context.Context, b *browser.Browser, p *browser.Page, upn, password string) (Outcome, error) {
	for range maxSignInPages {
		o := l.Read(ctx, b, p)
		if o.SignedIn || o.EntraCode != "" || o.SPError != nil {
			return o, nil
		}
		next, err := l.fillSignIn(ctx, b, p, upn, password)
		if err != nil {
			return o, err
		}
		p = next
	}
	return Outcome{Page: p}, fmt.Errorf("the sign-in took more than %d pages: %w", maxSignInPages, ErrUnexpectedPage)
}

// fillSignIn fills in and submits the Entra sign-in form on p.
func (l *Lab) fillSignIn(ctx context.Context, b *browser.Browser, p *browser.Page, upn, password string) (*browser.Page, error) {
	var values url.Values
	var form *browser.Form
	switch {
	case p.FormWithField("LoginOptions") != nil:
		// "Stay signed in?": No, so the session ends with the browser.
		form = p.FormWithField("LoginOptions")
		values = url.Values{"LoginOptions": {mockidp.StaySignedInNo}}
	case p.FormWithField("passwd") != nil:
		form = p.FormWithField("passwd")
		values = url.Values{"passwd": {password}}
	case p.FormWithField("loginfmt") != nil:
		form = accountForm(p, upn)
		if _, ok := form.Field("loginfmt"); ok && form.Value("loginfmt") == "" {
			values = url.Values{"loginfmt": {upn}}
		}
	default:
		return nil, fmt.Errorf("%s: %w", p.URL.Redacted(), ErrUnexpectedPage)
	}
	next, err := b.Submit(ctx, form, values)
	if err != nil {
		return nil, fmt.Errorf("submit the sign-in form at %s: %w", form.Action.Redacted(), err)
	}
	return next, nil
}

// SignInAt plays a sign-in to any SAML app of the tenant: open startURL
// (the app's own page that sends users to Entra, or an IdP-initiated
// launch URL), sign in at Entra as upn, and follow the response back. It
// returns the first page outside the mock Entra ID's sign-in pages (the
// app's, with Outcome.Page set), or Entra's error page.
func (l *Lab) SignInAt(ctx context.Context, b *browser.Browser, startURL, upn, password string) (Outcome, error) {
	p, err := b.Get(ctx, startURL)
	if err != nil {
		return Outcome{}, fmt.Errorf("open %s: %w", startURL, err)
	}
	for range maxSignInPages {
		o := l.Read(ctx, b, p)
		if o.SignedIn || o.EntraCode != "" || o.SPError != nil || !strings.HasPrefix(p.URL.String(), l.info.IDPBaseURL+"/") {
			return o, nil
		}
		if p, err = l.fillSignIn(ctx, b, p, upn, password); err != nil {
			return o, err
		}
	}
	return Outcome{Page: p}, fmt.Errorf("the sign-in took more than %d pages: %w", maxSignInPages, ErrUnexpectedPage)
}

// accountForm picks the account picker's tile for upn when there is one,
// and the "use another account" form otherwise.
func accountForm(p *browser.Page, upn string) *browser.Form {
	var other *browser.Form
	for _, f := range p.Forms() {
		if _, ok := f.Field("loginfmt"); !ok {
			continue
		}
		switch v := f.Value("loginfmt"); {
		case strings.EqualFold(v, upn):
			return f
		case v == "" && other == nil:
			other = f
		}
	}
	if other == nil {
		return p.FormWithField("loginfmt")
	}
	return other
}

// Read classifies a page: signed in at the SP, an Entra error, an SP
// error, or none of these (a page to carry on from).
func (l *Lab) Read(ctx context.Context, b *browser.Browser, p *browser.Page) Outcome {
	o := Outcome{Page: p}
	if code, msg, ok := mockidp.ParseErrorPage(string(p.Body)); ok {
		o.EntraCode, o.EntraMessage = code, msg
		return o
	}
	if ep, ok := sp.ReadErrorPage(p.Body); ok {
		o.SPError = &ep
		return o
	}
	if strings.HasPrefix(p.URL.String(), l.info.SPBaseURL+"/") && p.URL.Path == "/" && p.StatusCode == http.StatusOK {
		if me, err := l.Me(ctx, b); err == nil {
			o.SignedIn, o.Me = true, &me
		}
	}
	return o
}

// Me asks the SP who the browser is signed in as.
func (l *Lab) Me(ctx context.Context, b *browser.Browser) (sp.Me, error) {
	p, err := b.Get(ctx, l.info.SPBaseURL+sp.MePath)
	if err != nil {
		return sp.Me{}, fmt.Errorf("ask %s who is signed in: %w", sp.MePath, err)
	}
	if p.StatusCode != http.StatusOK {
		return sp.Me{}, fmt.Errorf("%s answered %d: not signed in", sp.MePath, p.StatusCode)
	}
	var me sp.Me
	if err := p.JSON(&me); err != nil {
		return sp.Me{}, fmt.Errorf("read %s: %w", sp.MePath, err)
	}
	return me, nil
}

// NewBrowser returns a fresh browser (an empty cookie jar) on the lab's
// shared transport.
func (l *Lab) NewBrowser(opts browser.Options) (*browser.Browser, error) {
	opts.Transport = l.transport
	return browser.New(opts)
}
