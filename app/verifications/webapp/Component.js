sap.ui.define(["sap/fe/core/AppComponent"], function (AppComponent) {
	"use strict";

	// Everything (pages, routing, model) comes from manifest.json and the service's annotations.
	return AppComponent.extend("bp.verification.verifications.Component", {
		metadata: {
			manifest: "json"
		}
	});
});
