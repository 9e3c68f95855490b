//go:build !faultinject

package importflow

// crashpoint and refusal mark the points of an import where the fault
// tests crash the service, or have a write refused; built without the
// faultinject tag, they do nothing.
func crashpoint(string) {}

func refusal(string) error { return nil }
