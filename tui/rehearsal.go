package tui

import (
	"context"
	"time"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// Rehearsal is what the wizard needs of the rehearsal environment that
// runs the mock Entra ID and the mock RudderStack in-process. The wizard
// starts one in a command (Options.Start) so the first frame never waits
// for it; the real one is internal/checks' Env (see NewRehearsal), and
// tests may give their own.
type Rehearsal interface {
	// CreateApp creates the non-gallery enterprise app in the mock Entra
	// tenant, configured from s, and returns its IDs and certificate.
	CreateApp(ctx context.Context, s setup.Setup) (App, error)
	// GeneratePAT generates a personal access token in the mock
	// RudderStack with s's token name and role, owned by an admin with s's
	// organisation role. The secret is returned once.
	GeneratePAT(ctx context.Context, s setup.Setup) (Token, error)
	// TestConnection does what Entra's Test Connection button does with s's
	// Tenant URL and the Secret Token (s's, or token when s leaves it
	// empty).
	TestConnection(ctx context.Context, s setup.Setup, token string) (Connection, error)
	// Run rehearses s with the checks named by only (all when empty),
	// reporting progress as it goes.
	Run(ctx context.Context, s setup.Setup, only []string, progress func(checks.Event)) (*checks.Report, error)
	// Users lists the rehearsal tenant's directory users.
	Users() []User
	// Groups lists the rehearsal tenant's groups by name.
	Groups() []Group
	// HARDir is where HAR files of the browser checks are written ("" when
	// none are).
	HARDir() string
	// Close stops the mocks.
	Close(ctx context.Context) error
}

// App is the enterprise application as the Entra admin center shows it
// after Create.
type App struct {
	// Name is the display name.
	Name string
	// TenantID is the directory (tenant) ID.
	TenantID string
	// AppID is the Application (client) ID.
	AppID string
	// ObjectID is the service principal's Object ID.
	ObjectID string
	// MetadataURL is the App Federation Metadata URL to send to RudderStack.
	MetadataURL string
	// LoginURL and EntraIdentifier are the "Set up <app>" box's Login URL
	// and Microsoft Entra Identifier.
	LoginURL, EntraIdentifier string
	// Certificate is the active SAML signing certificate.
	Certificate Certificate
}

// Certificate is the SAML Certificates section's active certificate.
type Certificate struct {
	// Thumbprint is the SHA-1 thumbprint in upper-case hex, as Entra shows it.
	Thumbprint string
	// NotAfter is the expiry.
	NotAfter time.Time
}

// Token is a freshly generated personal access token. Secret is shown once
// and never written anywhere.
type Token struct {
	// Name and Role are as generated.
	Name, Role string
	// Hint shows enough of the token to recognise it in RudderStack's list.
	Hint string
	// Secret is the token itself.
	Secret string
	// Created is when it was generated.
	Created time.Time
}

// Connection is Test Connection's outcome as Entra's portal shows it.
type Connection struct {
	// OK is true for "Testing connection to <app>: the supplied credentials
	// are authorized to enable provisioning".
	OK bool
	// Title is the notification's heading.
	Title string
	// Code is Entra's error code, e.g.
	// SystemForCrossDomainIdentityManagementCredentialValidationFailure.
	Code string
	// Message is Entra's error message, as shown.
	Message string
	// Remedy says what to do, in the guide's words (for a 403: ask the
	// RudderStack team to enable SCIM).
	Remedy string
	// Warnings are problems that do not fail the test.
	Warnings []string
	// Request is the probe and its answer, e.g. "GET /scim/v2/Users?… → 200".
	Request string
	// Duration is how long the test took.
	Duration time.Duration
}

// User is a directory user of the rehearsal tenant.
type User struct {
	// UPN is the user principal name.
	UPN string
	// DisplayName is the user's display name.
	DisplayName string
	// Assigned says whether the tenant assigns the user to the app by
	// default, directly or through a group; Direct, whether directly.
	Assigned, Direct bool
	// Purpose says what the user is there to rehearse.
	Purpose string
}

// Group is a group of the rehearsal tenant. Assigning it to the app
// assigns its direct members; members of groups nested in it are not
// assigned, as in Entra.
type Group struct {
	// Name is the group's display name, which the setup file records.
	Name string
	// Description is the group's description.
	Description string
	// Members are the UPNs of its direct members who are users.
	Members []string
	// Assigned says whether the tenant assigns the group to the app by
	// default.
	Assigned bool
	// missing marks a group the setup names and the tenant lacks.
	missing bool
}
