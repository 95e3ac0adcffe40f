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
