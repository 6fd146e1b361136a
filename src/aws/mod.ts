/**
 * Signed AWS requests (SigV4 with aws4fetch) for S3 and DynamoDB: options, typed errors,
 * retries with capped jittered backoff, and safe XML parsing.
 *
 * @module
 */

export {
  type AwsCredentials,
  type AwsOptions,
  awsOptionsFromEnv,
  type AwsService,
  type RetryOptions,
  serviceEndpoint,
} from "./options.ts";
export { AwsError, type AwsErrorInit, DynamoDBError, S3Error } from "./error.ts";
export {
  type AwsRequest,
  type AwsResponse,
  dynamoDbCall,
  openAwsRequest,
  sendAwsRequest,
} from "./request.ts";
export { parseAwsXml, type ParseAwsXmlOptions, type XmlNode, type XmlValue } from "./xml.ts";
