package server

import (
	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/auth"
)

// Policy says who may call each of the events service's methods. A
// district's changes are read as its data is: by those who may read the
// district (roles, or a key's read or write scope), personal data already
// masked in the events.
func Policy() auth.Policy {
	return auth.Policy{
		eventsv1.ChangeService_ListChanges_FullMethodName:  auth.InDistrict(auth.ReadData, auth.Parent),
		eventsv1.ChangeService_WatchChanges_FullMethodName: auth.InDistrict(auth.ReadData, auth.Parent),
	}
}

// WebhookPolicy says who may manage webhooks: the district's admins (and
// a key with the admin scope), as for its API keys — a webhook sends the
// district's changes out, and its secret is a credential.
func WebhookPolicy() auth.Policy {
	const w = "/gongyak.events.v1.WebhookService/"
	p := auth.Policy{}
	for _, m := range []string{"CreateWebhook", "ListWebhooks"} {
		p[w+m] = auth.InDistrict(auth.ManageKeys, auth.Parent)
	}
	for _, m := range []string{"GetWebhook", "DeleteWebhook", "RotateWebhookSecret", "RetireWebhookSecrets", "RedeliverDeadLetter"} {
		p[w+m] = auth.InDistrict(auth.ManageKeys, auth.Name)
	}
	for _, m := range []string{"ListWebhookDeliveries", "ListDeadLetters"} {
		p[w+m] = auth.InDistrict(auth.ManageKeys, auth.Parent)
	}
	p[w+"UpdateWebhook"] = auth.InDistrict(auth.ManageKeys, func(req any) string {
		if r, ok := req.(*eventsv1.UpdateWebhookRequest); ok {
			return r.GetWebhook().GetName()
		}
		return ""
	})
	return p
}
