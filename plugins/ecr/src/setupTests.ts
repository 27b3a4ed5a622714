import '@testing-library/jest-dom';

// Component tests drive real user events through a full test app; on a loaded
// two-core CI machine running every package's tests at once, a few of them
// take longer than jest's 5 s default.
jest.setTimeout(30_000);
