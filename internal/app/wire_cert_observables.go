package app

// wireCertObservables builds the CERT observables part and mounts its routes.
func (a *App) wireCertObservables() error { return nil }
