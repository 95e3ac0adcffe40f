package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssowiz/ssowiz/internal/graphlogs"
)

func newLogsCmd(e *env) *cobra.Command {
	var opts struct {
		url, graphURL    string
		tenant, clientID string
		follow, json     bool
		interval         time.Duration
	}
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Print the mock Entra ID's sign-in and provisioning logs",
		Long: `Print the sign-in logs and provisioning logs of the mock Entra ID that
` + "`ssowiz serve`" + ` runs, oldest first, one sentence each; --follow keeps printing new
entries as they happen. They are read over Microsoft Graph (auditLogs/signIns
and auditLogs/provisioning) with serve's automation app, so the same command
reads a real tenant's logs given its login URL and an app with AuditLog.Read.All.

The credentials come from the environment, as Azure's tools take them:
AZURE_TENANT_ID (serve's tenant_id), AZURE_CLIENT_ID (graph_client_id) and
AZURE_CLIENT_SECRET (graph_client_secret). The secret is never a flag, so it
stays out of the process list.

--json prints each entry as Graph returned it, one JSON object per line, with
"@odata.type" naming its log.`,
		Example: `  export AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=…   # from ssowiz serve
  ssowiz logs
  ssowiz logs --follow
  ssowiz logs --json | jq 'select(.status.errorCode != 0)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tenantID, clientID, secret := opts.tenant, opts.clientID, e.getenv("AZURE_CLIENT_SECRET")
			if tenantID == "" {
				tenantID = e.getenv("AZURE_TENANT_ID")
			}
			if clientID == "" {
				clientID = e.getenv("AZURE_CLIENT_ID")
			}
			var missing []string
			for name, v := range map[string]string{"AZURE_TENANT_ID (or --tenant)": tenantID, "AZURE_CLIENT_ID (or --client-id)": clientID, "AZURE_CLIENT_SECRET": secret} {
				if v == "" {
					missing = append(missing, name)
				}
			}
			slices.Sort(missing)
			if len(missing) > 0 {
				return badInput(fmt.Errorf("set %s: ssowiz serve prints them as tenant_id, graph_client_id and graph_client_secret", strings.Join(missing, ", ")))
			}
			if opts.interval <= 0 {
				return badInput(fmt.Errorf("--interval %s must be positive", opts.interval))
			}
			base := strings.TrimRight(opts.url, "/")
			graphURL := strings.TrimRight(opts.graphURL, "/")
			if graphURL == "" {
				graphURL = base + "/v1.0"
			}
			c := &graphlogs.Client{TokenURL: base + "/" + tenantID + "/oauth2/v2.0/token", GraphURL: graphURL,
				ClientID: clientID, ClientSecret: secret}
			print := func(en graphlogs.Entry) error {
				if opts.json {
					var obj map[string]json.RawMessage
					if err := json.Unmarshal(en.Object, &obj); err != nil {
						return err
					}
					obj["@odata.type"] = json.RawMessage(map[string]string{"signIns": `"#microsoft.graph.signIn"`, "provisioning": `"#microsoft.graph.provisioningObjectSummary"`}[en.Log])
					b, err := json.Marshal(obj)
					if err != nil {
						return err
					}
					_, err = fmt.Fprintf(e.stdout, "%s\n", b)
					return err
				}
				_, err := fmt.Fprintf(e.stdout, "%s  %s\n", en.Time.Local().Format("2006-01-02 15:04:05"), en.Sentence)
				return err
			}
			var err error
			if opts.follow {
				err = c.Follow(cmd.Context(), opts.interval, print)
			} else {
				var entries []graphlogs.Entry
				if entries, err = c.Fetch(cmd.Context(), time.Time{}); err == nil {
					for _, en := range entries {
						if err = print(en); err != nil {
							break
						}
					}
				}
			}
			if errors.Is(err, graphlogs.ErrAuth) {
				return badInput(err)
			}
			if err != nil {
				return failed(err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.url, "url", "http://"+defaultIDPAddr, "the mock Entra ID's base URL (serve's idp_base_url), or https://login.microsoftonline.com")
	f.StringVar(&opts.graphURL, "graph-url", "", "Graph's v1.0 base URL (default: --url with /v1.0; https://graph.microsoft.com/v1.0 for a real tenant)")
	f.StringVar(&opts.tenant, "tenant", "", "tenant ID or domain (default $AZURE_TENANT_ID)")
	f.StringVar(&opts.clientID, "client-id", "", "the app registration's client ID (default $AZURE_CLIENT_ID)")
	f.BoolVarP(&opts.follow, "follow", "f", false, "keep printing new entries until interrupted")
	f.BoolVar(&opts.json, "json", false, "print Graph's objects, one JSON object per line")
	f.DurationVar(&opts.interval, "interval", time.Second, "how often --follow asks for new entries")
	return cmd
}
