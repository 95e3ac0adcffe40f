package tui

import (
	"context"
	"errors"
	"time"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// EnvOptions configure the real rehearsal environment.
type EnvOptions struct {
	// Checks configures internal/checks' Env (key cache, clock, logger).
	Checks checks.Options
	// HARDir, when set, receives the HAR files of the browser checks.
	HARDir string
}

// StartEnv returns an Options.Start that opens internal/checks' Env and
// starts its live mocks, so the first step that needs them finds them up.
func StartEnv(o EnvOptions) func(context.Context) (Rehearsal, error) {
	return func(ctx context.Context) (Rehearsal, error) {
		env := checks.New(o.Checks)
		// Listing the users starts the live mocks.
		users, err := env.Users(ctx)
		if err != nil {
			return nil, errors.Join(err, env.Close())
		}
		r := &envRehearsal{env: env, harDir: o.HARDir, now: o.Checks.Now}
		if r.now == nil {
			r.now = time.Now
		}
		for _, u := range users {
			r.users = append(r.users, User{UPN: u.UPN, DisplayName: u.DisplayName, Assigned: u.Assigned, Direct: u.Direct, Purpose: u.Purpose})
		}
		groups, err := env.Groups(ctx)
		if err != nil {
			return nil, errors.Join(err, env.Close())
		}
		for _, g := range groups {
			r.groups = append(r.groups, Group{Name: g.Name, Description: g.Description, Members: g.Members, Assigned: g.Assigned})
		}
		return r, nil
	}
}

// envRehearsal adapts checks.Env to what the wizard asks of a rehearsal.
type envRehearsal struct {
	env    *checks.Env
	harDir string
	now    func() time.Time
	users  []User
	groups []Group
}

func (r *envRehearsal) Users() []User               { return r.users }
func (r *envRehearsal) Groups() []Group             { return r.groups }
func (r *envRehearsal) HARDir() string              { return r.harDir }
func (r *envRehearsal) Close(context.Context) error { return r.env.Close() }

func (r *envRehearsal) CreateApp(ctx context.Context, s setup.Setup) (App, error) {
	a, err := r.env.CreateApp(ctx, s.App.Name)
	if err != nil {
		return App{}, err
	}
	return App{
		Name: a.Name, TenantID: a.TenantID, AppID: a.ApplicationID, ObjectID: a.ObjectID,
		MetadataURL: a.AppFederationMetadataURL, LoginURL: a.LoginURL, EntraIdentifier: a.EntraIdentifier,
		Certificate: Certificate{Thumbprint: a.CertificateThumbprint, NotAfter: a.CertificateExpiry},
	}, nil
}

// GeneratePAT applies the setup first: the token's owner has the
// organisation role the setup gives you.
func (r *envRehearsal) GeneratePAT(ctx context.Context, s setup.Setup) (Token, error) {
	if _, err := r.env.Apply(ctx, s); err != nil {
		return Token{}, err
	}
	p, err := r.env.GeneratePAT(ctx, s.RudderStack.PAT.Name, s.RudderStack.PAT.Role)
	if err != nil {
		return Token{}, err
	}
	return Token{Name: p.Name, Role: p.Role, Hint: p.Hint, Secret: p.Secret, Created: r.now()}, nil
}

// TestConnection applies the setup first, so RudderStack's SCIM switch and
// your role are as the setup says.
func (r *envRehearsal) TestConnection(ctx context.Context, s setup.Setup, token string) (Connection, error) {
	if _, err := r.env.Apply(ctx, s); err != nil {
		return Connection{}, err
	}
	if s.Provisioning.SecretToken != "" {
		token = s.Provisioning.SecretToken
	}
	start := time.Now()
	c, err := r.env.TestConnection(ctx, s.Provisioning.TenantURL, token)
	if err != nil {
		return Connection{}, err
	}
	return Connection{OK: c.OK, Title: c.Title, Code: c.Code, Message: c.Message, Remedy: c.Hint,
		Warnings: c.Warnings, Request: c.Request, Duration: time.Since(start)}, nil
}

func (r *envRehearsal) Run(ctx context.Context, s setup.Setup, only []string, progress func(checks.Event)) (*checks.Report, error) {
	return r.env.Run(ctx, s, checks.RunOptions{Only: only, HARDir: r.harDir, OnEvent: progress})
}
