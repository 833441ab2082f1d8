package app

// wireCertReports builds the CERT reports part and mounts its routes.
func (a *App) wireCertReports() error { return nil }
