package app

// wireCertCases builds the CERT cases part and mounts its routes.
func (a *App) wireCertCases() error { return nil }
