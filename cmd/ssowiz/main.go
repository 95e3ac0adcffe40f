// Command ssowiz rehearses, offline, the setup of SAML single sign-on and
// SCIM provisioning between Microsoft Entra ID and a RudderStack-like app.
//
// This package only wires: it parses the command line and calls into the
// packages that do the work.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], newEnv(os.Stdin, os.Stdout, os.Stderr))
	stop()
	os.Exit(code)
}
