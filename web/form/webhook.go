package form

import (
	"strings"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/webhook"
)

// Webhook is the admin page's new webhook endpoint form: the URL, one
// checkbox per event of customer.EventTypes (so a new event appears by
// itself), and enabled.
var Webhook = func() *Form[webhook.Endpoint, webhook.Input] {
	f := &Form[webhook.Endpoint, webhook.Input]{labels: map[string]string{"events": "Events"}}
	f.Fields = append(f.Fields, Field[webhook.Endpoint, webhook.Input]{
		Spec: Spec{Path: "url", Label: "URL", Kind: URL, Required: true, MaxLength: 2000, Autocomplete: "off", Wide: true,
			Placeholder: "https://hooks.example.com/verity", Hint: "Where Verity POSTs the events: https, a public address."},
		get: func(e *webhook.Endpoint) string { return e.URL },
		set: func(in *webhook.Input, v string) { in.URL = &v },
	})
	for i, t := range customer.EventTypes {
		name := t.Name
		spec := Spec{Path: WebhookEventPath(name), Label: strings.TrimPrefix(name, "platform:accounts:customer:"),
			Kind: Checkbox, Hint: t.Help, Group: "events"}
		if i == 0 {
			spec.Also = []string{"events"}
		}
		f.Fields = append(f.Fields, Field[webhook.Endpoint, webhook.Input]{Spec: spec,
			get: func(e *webhook.Endpoint) string { return boolText(hasEvent(e.Events, name)) },
			set: func(in *webhook.Input, v string) {
				if v == "true" {
					in.Events = append(in.Events, name)
				}
			}})
	}
	f.Fields = append(f.Fields, Field[webhook.Endpoint, webhook.Input]{
		Spec: Spec{Path: "enabled", Label: "Enabled", Kind: Checkbox, Group: "state", Hint: "Off: no new events are sent to it."},
		get:  func(e *webhook.Endpoint) string { return boolText(e.Enabled) },
		set:  func(in *webhook.Input, v string) { on := v == "true"; in.Enabled = &on },
	})
	return f
}()

// WebhookEventPath is the form path of an event's checkbox: events.status-change.
func WebhookEventPath(event string) string {
	return "events." + event[strings.LastIndex(event, ":")+1:]
}

// WebhookDefaults are the new endpoint form's starting values: enabled, no events.
func WebhookDefaults() Values { return Values{"enabled": "true"} }

func hasEvent(list []string, name string) bool {
	for _, e := range list {
		if e == name {
			return true
		}
	}
	return false
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return ""
}
