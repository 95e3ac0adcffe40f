package har

import (
	"strings"
	"testing"
)

func TestEveryAADSTSCodeOfTheFlowHasItsOwnRemedy(t *testing.T) {
	o := Options{}.withDefaults()
	_, generic := aadRemedy("9999999", nil, o)
	tests := map[string]string{
		"50011": "Reply URL", "700016": "Identifier (Entity ID)", "50105": "Users and groups",
		"750054": "Sign on URL", "75005": "RudderStack support", "76021": "Verification certificates",
		"50126": "password", "50034": "UPN", "50020": "guest", "50057": "enable", "50076": "Conditional Access",
		"90002": "Metadata URL", "501241": "Unique User Identifier", "50003": "SAML Certificates", "900971": "Reply URL",
	}
	for code, want := range tests {
		title, remedy := aadRemedy(code, nil, o)
		if remedy == generic || title == "" || !strings.Contains(remedy, want) {
			t.Errorf("AADSTS%s: %q / %q, want a remedy naming %q", code, title, remedy, want)
		}
	}
	if !strings.Contains(generic, "login.microsoftonline.com/error?code=9999999") {
		t.Errorf("unknown code remedy = %q", generic)
	}
}

func TestEveryCognitoMessageHasItsOwnRemedy(t *testing.T) {
	o := Options{}.withDefaults()
	_, generic := cognitoRemedy("something nobody said", o)
	const p = "Invalid SAML response received: "
	tests := map[string]string{
		p + "Invalid user attributes: email: The attribute is required":                                         `"Email"`,
		p + "Invalid user attributes: family_name: Required attribute cannot be deleted":                        `"LastName"`,
		p + "SAML Assertion signature is invalid":                                                               "App Federation Metadata URL",
		p + "Invalid ProviderName/Username combination.":                                                        "Name ID",
		p + "Responses must contain exactly one Encrypted Assertion":                                            "Token encryption",
		p + "The value of the attribute custom:groups must have a length less than or equal to 2048 characters": "groups claim",
		"An error was encountered with the requested page.":                                                     "Reply URL",
		"Invalid relayState from identity provider":                                                             "Relay State",
		"Something went wrong": "5 minutes",
		p + "Audience restriction does not match the user pool's entity ID":              "Identifier (Entity ID)",
		p + "Destination or Recipient does not match the user pool's ACS URL":            "Reply URL",
		p + "InResponseTo does not match the SAML request sent to the identity provider": "one tab",
		p + "SAML assertion has expired":                                                 "without pausing",
		p + "Issuer does not match the identity provider's metadata":                     "App Federation Metadata URL",
		p + "SAML assertion has already been used":                                       "once",
		p + "Unable to decrypt the Encrypted Assertion":                                  "Token encryption",
		p + "NameID is missing from the SAML assertion":                                  "Unique User Identifier",
		p + "SAML response is larger than 100000 characters":                             "groups claim",
		p + "Status is not Success: urn:oasis:names:tc:SAML:2.0:status:Requester":        "AADSTS",
		"Login option is not available. Please try another one":                          "SSO connection",
	}
	for msg, want := range tests {
		title, remedy := cognitoRemedy(msg, o)
		if remedy == generic || title == "" || !strings.Contains(remedy, want) {
			t.Errorf("%q: %q / %q, want a remedy naming %q", msg, title, remedy, want)
		}
	}
}

// TestAADSTSRemediesNameTheAppAtHand: the same codes met by another app
// (your own SP on `ssowiz serve`) send the admin to that app's blade and
// settings, never to RudderStack's; RudderStack's keep its name.
func TestAADSTSRemediesNameTheAppAtHand(t *testing.T) {
	codes := []string{"50011", "700016", "50105", "750054", "75005", "750055", "76021", "50126", "50034",
		"50020", "50057", "50076", "90002", "501241", "50003", "900971", "9999999"}
	foreign := Options{ACSURL: "http://localhost:38082/acs", EntityID: "http://localhost:38082/metadata"}.withDefaults()
	guide := Options{}.withDefaults()
	for _, code := range codes {
		title, remedy := aadRemedy(code, nil, foreign)
		if text := title + " " + remedy; strings.Contains(strings.ToLower(text), "rudderstack") || strings.Contains(text, "Cognito") {
			t.Errorf("AADSTS%s for another app: %q / %q names RudderStack", code, title, remedy)
		}
		if strings.Contains(remedy, "Enterprise applications") && !strings.Contains(remedy, "→ your app") {
			t.Errorf("AADSTS%s for another app: %q does not say which app's settings", code, remedy)
		}
		if _, remedy := aadRemedy(code, nil, guide); strings.Contains(remedy, "Enterprise applications") && !strings.Contains(remedy, "your RudderStack app") {
			t.Errorf("AADSTS%s for RudderStack: %q lost the app's name", code, remedy)
		}
	}
	if got := foreign.StartURL; strings.Contains(got, "rudderstack") {
		t.Errorf("another app's start URL defaults to %q", got)
	}
	_, remedy := aadRemedy("750055", nil, foreign)
	if !strings.Contains(remedy, "DEFLATE") {
		t.Errorf("a badly encoded request of your own app: %q, want how to encode it", remedy)
	}
}
