export * from './sitewise-entry';
export * from './s3-upload-task';
export * from './s3-export-status';
export * from '../../protocol/sitewise-rules';
export * from './sitewise-grouper';
export * from './s3-outcome-tracker';
