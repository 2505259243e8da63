"""The chatbot: a client for any HTTP chat endpoint, the red-team probe set, the detectors
that judge replies without a model, and the browser driver for the chat widget."""
