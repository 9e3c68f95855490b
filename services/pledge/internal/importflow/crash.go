//go:build !faultinject

package importflow

// crashpoint marks a point of an import where the fault tests crash the
// service; built without the faultinject tag, it does nothing.
func crashpoint(string) {}
