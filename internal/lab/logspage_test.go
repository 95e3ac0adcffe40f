package lab

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ssowiz/ssowiz/internal/chromiumtest"
)

// TestLogsPageInChromium: a person opens the Sign-in logs blade, filters
// by user, opens a success's details and reads its claims and decoded SAML
// response; then the Provisioning logs blade.
func TestLogsPageInChromium(t *testing.T) {
	ctx := context.Background()
	l := startLab(t, Options{Provision: true})
	// The browser starts after the lab so that it closes first (cleanups
	// run last-in first-out): Chromium's preconnected sockets would hold
	// the lab's graceful shutdown for 5 s, the whole of its deadline.
	b := chromiumtest.Start(t, chromiumtest.Options{})
	if _, err := l.Provisioning.RunCycle(ctx, l.Info().AppID); err != nil {
		t.Fatal(err)
	}
	adele, alex := demoUser(t, l, "AdeleV"), demoUser(t, l, "AlexW")
	signIn(t, l, adele.UPN, adele.Password)
	signIn(t, l, alex.UPN, alex.Password)
	adeleUser, err := l.Directory.UserByUPN(ctx, adele.UPN)
	if err != nil {
		t.Fatal(err)
	}

	if err := b.Navigate(l.Info().LogsURL); err != nil {
		t.Fatal(err)
	}
	rows, err := b.Eval(`document.querySelectorAll('#signins tr.signin').length + ''`)
	if err != nil || rows != "2" {
		t.Fatalf("sign-in rows: %q %v", rows, err)
	}
	table, _ := b.Eval(`document.querySelector('#signins').innerText`)
	if !strings.Contains(table, "Alex Wilber") || !strings.Contains(table, "AADSTS50105") || !strings.Contains(table, "Success") {
		t.Fatalf("the blade shows:\n%s", table)
	}
	// Filter by user, as the blade's drop-down does.
	if err := b.Run("choose Adele", chromedp.SetValue(chromedp.ID("filter-user"), adeleUser.ObjectID)); err != nil {
		t.Fatal(err)
	}
	if err := b.ClickAndWait("#apply"); err != nil {
		t.Fatal(err)
	}
	if rows, _ := b.Eval(`document.querySelectorAll('#signins tr.signin').length + ''`); rows != "1" {
		t.Fatalf("filtered by Adele: %s rows", rows)
	}
	if err := b.ClickAndWait("#signins a.details"); err != nil {
		t.Fatal(err)
	}
	claims, _ := b.Eval(`document.querySelector('#claims').innerText`)
	saml, _ := b.Eval(`document.querySelector('#saml-response').innerText`)
	if !strings.Contains(claims, "Email") || !strings.Contains(claims, adele.UPN) || !strings.Contains(claims, "LastName") {
		t.Errorf("claims:\n%s", claims)
	}
	if !strings.Contains(saml, "<Assertion") || !strings.Contains(saml, "<AttributeStatement>") || !strings.Contains(saml, "Signature") {
		t.Errorf("the decoded response:\n%s", saml)
	}
	if err := b.ClickAndWait("#tab-provisioning"); err != nil {
		t.Fatal(err)
	}
	prov, _ := b.Eval(`document.querySelector('#provisioning').innerText`)
	if !strings.Contains(prov, "Create") || !strings.Contains(prov, "POST /scim/v2/Users → 201") || !strings.Contains(prov, adele.UPN) {
		t.Errorf("the provisioning blade shows:\n%s", prov)
	}
}
