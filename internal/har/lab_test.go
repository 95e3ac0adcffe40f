package har_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/browser"
	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/har/hartest"
	"github.com/ssowiz/ssowiz/internal/lab"
)

// TestRecordedLabFlows records ssowiz's own scripted browser signing in
// against the mocks under the production host names, and checks that the
// analysis of each recording (raw and redacted) finds what happened.
func TestRecordedLabFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("starts both mocks")
	}
	ctx := context.Background()
	l, err := lab.Start(ctx, lab.Options{
		Mode:   lab.Rehearsal,
		NewKey: func() (*rsa.PrivateKey, error) { return hartest.KeyA().Key, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l.Close(cctx)
	})
	user := func(alias string) lab.User {
		for _, u := range l.Info().Users {
			if strings.HasPrefix(u.UPN, alias+"@") {
				return u
			}
		}
		t.Fatalf("no demo user %s", alias)
		return lab.User{}
	}
	tests := []struct {
		name     string
		alias    string
		password string
		idpInit  bool
		want     []string
		code     string
		outcome  string
	}{
		{name: "signed in", alias: "AdeleV", outcome: har.OutcomeSignedIn},
		{name: "not assigned", alias: "AlexW", want: []string{har.DiagAADSTS}, code: "AADSTS50105", outcome: har.OutcomeFailed},
		{name: "wrong password", alias: "AdeleV", password: "not-her-password", want: []string{har.DiagAADSTS}, code: "AADSTS50126", outcome: har.OutcomeFailed},
		{name: "no mail, so no Email claim", alias: "LeeG", want: []string{har.DiagMissingAttribute}, code: "Email", outcome: har.OutcomeFailed},
		{name: "started from Entra", alias: "AdeleV", idpInit: true, want: []string{har.DiagIdPInitiated, har.DiagRelayState}, outcome: har.OutcomeFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := user(tt.alias)
			password := u.Password
			if tt.password != "" {
				password = tt.password
			}
			rec := har.NewRecorder(l.Transport(), har.RecorderOptions{})
			b, err := browser.New(browser.Options{Transport: rec, OnStep: func(s browser.Step) {
				if s.Kind == browser.StepNavigate || s.Kind == browser.StepSubmit {
					rec.StartPage(s.URL)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			var o lab.Outcome
			if tt.idpInit {
				p, err := b.Get(ctx, l.Info().IDPInitiatedURL)
				if err != nil {
					t.Fatal(err)
				}
				o, err = l.Continue(ctx, b, p, u.UPN, password)
			} else {
				o, err = l.SignIn(ctx, b, u.UPN, u.UPN, password)
			}
			if err != nil {
				t.Fatalf("%v (%s)", err, o)
			}
			var raw, red bytes.Buffer
			if _, err := rec.Write(&raw, har.WriteOptions{Raw: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := rec.Write(&red, har.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			secrets := []string{password, u.UPN}
			if !strings.HasPrefix(tt.code, "AADSTS") {
				// The display name is learned from the SAML response; a
				// flow that Entra stopped has none to learn it from.
				secrets = append(secrets, u.DisplayName)
			}
			for _, secret := range secrets {
				if bytes.Contains(red.Bytes(), []byte(secret)) {
					t.Errorf("the redacted recording holds %q", secret)
				}
			}
			for _, rec := range []struct {
				name string
				b    []byte
			}{{"raw", raw.Bytes()}, {"redacted", red.Bytes()}} {
				rep := analyzeBytes(t, rec.b, har.Options{})
				want := append([]string{}, tt.want...)
				slices.Sort(want)
				if got := ids(rep.Diagnoses); !slices.Equal(got, want) {
					var text bytes.Buffer
					rep.WriteText(&text)
					t.Fatalf("%s (%s): diagnoses %v, want %v\n%s", rec.name, o, got, want, text.String())
				}
				if len(rep.Flows) != 1 || rep.Flows[0].Outcome != tt.outcome {
					t.Errorf("%s: flows %+v, want one %s", rec.name, len(rep.Flows), tt.outcome)
				}
				if tt.code != "" && !slices.ContainsFunc(rep.Diagnoses, func(d har.Diagnosis) bool { return d.Code == tt.code }) {
					t.Errorf("%s: no diagnosis with code %s: %+v", rec.name, tt.code, rep.Diagnoses)
				}
			}
		})
	}
}
