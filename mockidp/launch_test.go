package mockidp

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func (h *harness) tileURL(appID string) string {
	return h.ts.URL + "/api/signin/" + appID + "?tenantId=" + h.tenantID()
}

func (h *harness) launchSignIn(u, alias string) page {
	h.t.Helper()
	du := h.user(alias)
	return h.typePassword(h.pickAccount(h.get(u), du.UPN), du.Password)
}

// wantUnsolicited checks an IdP-initiated response: posted to the default
// Reply URL, no InResponseTo anywhere, accepted by an SP that allows
// IdP-initiated login.
func (h *harness) wantUnsolicited(p page, relayState string) {
	h.t.Helper()
	got := h.posted(p)
	if got.action != replyURL {
		h.t.Errorf("posted to %s", got.action)
	}
	if got.relayState != relayState || got.hasRelayState != (relayState != "") {
		h.t.Errorf("RelayState %q (present %v), want %q", got.relayState, got.hasRelayState, relayState)
	}
	if strings.Contains(string(got.xml), "InResponseTo") {
		h.t.Errorf("an unsolicited response carries InResponseTo:\n%s", got.xml)
	}
	sp := h.sp(h.metadataBytes(h.appID()), true)
	a := h.verify(sp, got)
	if a.Conditions.AudienceRestrictions[0].Audience.Value != entityID {
		h.t.Errorf("audience %s", a.Conditions.AudienceRestrictions[0].Audience.Value)
	}
	// An SP that does not allow IdP-initiated login refuses it.
	strict := h.sp(h.metadataBytes(h.appID()), false)
	if _, err := strict.ParseXMLResponse(got.xml, []string{"_any"}, strict.AcsURL); err == nil {
		h.t.Error("an SP without IdP-initiated support accepted the unsolicited response")
	}
}

func TestUserAccessURL(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()

	t.Run("with a Sign on URL the tile goes there", func(t *testing.T) {
		h.t = t
		p := h.launchSignIn(h.tileURL(h.appID()), "AdeleV")
		if p.status != http.StatusFound || p.location != signOnURL {
			t.Fatalf("tile: %d to %q", p.status, p.location)
		}
		// With the session, straight there.
		if p := h.get(h.tileURL(h.appID())); p.status != http.StatusFound || p.location != signOnURL {
			t.Fatalf("tile with a session: %d to %q", p.status, p.location)
		}
	})
	t.Run("unassigned user", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		h.wantError(h.launchSignIn(h.tileURL(h.appID()), "AlexW"), "AADSTS50105")
	})
	t.Run("without a Sign on URL it posts an unsolicited response", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		app, _ := h.dir.App(ctx, h.appID())
		cfg := app.SAML
		cfg.SignOnURL, cfg.RelayState = "", "https://app.rudderstack.com/after-login"
		if _, err := h.dir.UpdateSAMLConfig(ctx, h.appID(), cfg); err != nil {
			t.Fatal(err)
		}
		defer h.dir.UpdateSAMLConfig(ctx, h.appID(), app.SAML)
		h.wantUnsolicited(h.launchSignIn(h.tileURL(h.appID()), "AdeleV"), "https://app.rudderstack.com/after-login")
	})
	t.Run("unknown app", func(t *testing.T) {
		h.t = t
		h.wantError(h.get(h.tileURL("00000000-1111-2222-3333-444444444444")), "AADSTS700016", "00000000-1111-2222-3333-444444444444")
	})
	t.Run("tenantId may be omitted", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		p := h.launchSignIn(h.ts.URL+"/api/signin/"+h.appID(), "AdeleV")
		if p.status != http.StatusFound || p.location != signOnURL {
			t.Fatalf("%d to %q", p.status, p.location)
		}
	})
}

func TestIDPInitiated(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	// The seeded app has a Sign on URL, yet the explicit launch posts.
	h.wantUnsolicited(h.launchSignIn(h.srv.IDPInitiatedURL(h.tenantID(), h.appID()), "AdeleV"), "")

	// An app without a Reply URL cannot be launched (the Test button on an
	// unconfigured app).
	bare, err := h.dir.CreateApp(ctx, "Unconfigured")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.dir.Assign(ctx, bare.AppID, h.user("AdeleV").ObjectID); err != nil {
		t.Fatal(err)
	}
	h.wantError(h.get(h.srv.IDPInitiatedURL(h.tenantID(), bare.AppID)), "AADSTS900971", "No reply address")

	h.wantError(h.get(h.srv.IDPInitiatedURL("fabrikam.onmicrosoft.com", h.appID())), "AADSTS90002")
}
