package adminview

import (
	"strconv"
	"strings"

	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/form"
)

// webhookValues are the new endpoint form's values: as typed, else the defaults.
func webhookValues(v WebhooksView) form.Values {
	if v.Values != nil {
		return v.Values
	}
	return form.WebhookDefaults()
}

func webhookPath(e *webhook.Endpoint, rest string) string {
	return layout.PathWebhooks + "/" + e.Reference.String() + rest
}

// shortEvent is an event without the common platform:accounts:customer: prefix.
func shortEvent(name string) string { return strings.TrimPrefix(name, "platform:accounts:customer:") }

func eventList(events []string) string {
	short := make([]string, len(events))
	for i, e := range events {
		short[i] = shortEvent(e)
	}
	return "Events: " + strings.Join(short, ", ")
}

func itoa(n int) string { return strconv.Itoa(n) }

func optInt(p *int, none string) string {
	if p == nil {
		return none
	}
	return strconv.Itoa(*p)
}

func msSuffix(p *int) string {
	if p == nil {
		return ""
	}
	return " ms"
}
