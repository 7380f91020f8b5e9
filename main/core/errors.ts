import type { FieldIssue } from '../../shared/domain/validation.js';

/** Errors the services raise; the API layer turns them into the contract's typed errors. */
export class NotFoundError extends Error {
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`No ${resource} with id ${id}`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class InvalidInputError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message)).join('; '));
    this.name = 'InvalidInputError';
  }
}
