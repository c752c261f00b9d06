// A decoding worker thread (RAW_SOCK_CHILDREN > 1): frames in from the main thread, encoded records back.
import { runDecodeWorker } from '@sipcap/raw-capture';

runDecodeWorker();
